"""SKOS concepts: themes, target groups, event types, roles, activity formats and programme clusters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    LocalizedText,
    Node,
    derived,
    group,
    label_in,
    localized,
    related,
)
from graphsvc.api.types.events import events_field
from graphsvc.api.types.practices import practices_field
from graphsvc.model import records as rec
from graphsvc.model.readmodel import EMPTY, ReadModel

if TYPE_CHECKING:
    from graphsvc.api.types.projects import Activity, Project

__all__ = [
    "ActivityFormat",
    "Concept",
    "EventType",
    "Role",
    "TargetGroup",
    "Theme",
    "WorkProgrammeCluster",
]

TYPES = "graphsvc.api.types"
ThemeT = Annotated["Theme", strawberry.lazy(TYPES)]
TargetGroupT = Annotated["TargetGroup", strawberry.lazy(TYPES)]
ActivityT = Annotated["Activity", strawberry.lazy(TYPES)]
ProjectT = Annotated["Project", strawberry.lazy(TYPES)]


@strawberry.interface(
    description="A concept of a SKOS scheme (theme, target group, event type, …)."
)
class Concept(Node):
    _r: strawberry.Private[rec.Concept]

    @strawberry.field(description="The preferred label. " + LANG_DESCRIPTION)
    def label(self, lang: str = DEFAULT_LANG) -> str:
        alt = self._r.alt_labels
        return label_in(self._r.labels, lang, alt[0] if alt else self._r.iri)

    @strawberry.field(description="The preferred label in every language it has.")
    def labels(self) -> list[LocalizedText]:
        return localized(self._r.labels)

    @strawberry.field(description="Synonyms and acronyms (skos:altLabel).")
    def alt_labels(self) -> list[str]:
        return list(self._r.alt_labels)

    @strawberry.field(description="What the concept means. " + LANG_DESCRIPTION)
    def definition(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.definition, lang) or None

    @strawberry.field(description="Its code in the scheme, e.g. 1.2 (themes sort by it).")
    def notation(self) -> str | None:
        return self._r.notation

    @strawberry.field(description="IRI of the concept scheme.")
    def scheme(self) -> str | None:
        return self._r.scheme


@strawberry.type(description="A theme of the theme scheme, e.g. Youth Guarantee, green transition.")
class Theme(Concept):
    _r: strawberry.Private[rec.Theme]
    TYPE_NAME: ClassVar[str] = "Theme"

    @paged("Direct broader themes.")
    def broader(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.broader, page)

    @paged("Direct narrower themes.")
    def narrower(self, page: PageArgs) -> Connection[ThemeT]:
        narrower = self._ctx.read_model.theme_narrower.get(self._r.iri, EMPTY)
        return related(self._ctx, "Theme", narrower, page)

    @paged("Every broader theme up to the top of the scheme.")
    def ancestors(self, page: PageArgs) -> Connection[ThemeT]:
        found = self._ctx.read_model.theme_ancestors.get(self._r.iri, EMPTY) - {self._r.iri}
        return related(self._ctx, "Theme", found, page)

    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_theme.get(self._r.iri, EMPTY),
        "Practices tagged with this theme or a narrower one.",
    )
    events = events_field(
        lambda self: self._ctx.read_model.events_by_theme.get(self._r.iri, EMPTY),
        "Events about this theme or a narrower one.",
    )

    @paged("Projects about this theme or a narrower one.")
    def projects(self, page: PageArgs) -> Connection[ProjectT]:
        found = self._ctx.read_model.projects_by_theme.get(self._r.iri, EMPTY)
        return related(self._ctx, "Project", found, page)

    @paged("Work-programme activities about this theme or a narrower one.")
    def activities(self, page: PageArgs) -> Connection[ActivityT]:
        found = self._ctx.read_model.activities_by_theme.get(self._r.iri, EMPTY)
        return related(self._ctx, "Activity", found, page)


def _target_groups_narrower(rm: ReadModel) -> dict[str, frozenset[str]]:
    return group((b, t.iri) for t in rm.target_groups.values() for b in t.broader)


@strawberry.type(description="A group of people practices address, e.g. young people, employers.")
class TargetGroup(Concept):
    _r: strawberry.Private[rec.TargetGroup]
    TYPE_NAME: ClassVar[str] = "TargetGroup"

    @paged("Direct broader target groups.")
    def broader(self, page: PageArgs) -> Connection[TargetGroupT]:
        return related(self._ctx, "TargetGroup", self._r.broader, page)

    @paged("Direct narrower target groups.")
    def narrower(self, page: PageArgs) -> Connection[TargetGroupT]:
        index = derived(self._ctx.read_model, "target_groups_narrower", _target_groups_narrower)
        found = index.get(self._r.iri, EMPTY)
        return related(self._ctx, "TargetGroup", found, page)

    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_target_group.get(self._r.iri, EMPTY),
        "Practices that address this group.",
    )


@strawberry.type(description="A kind of event, e.g. conference, webinar, study visit.")
class EventType(Concept):
    _r: strawberry.Private[rec.EventType]
    TYPE_NAME: ClassVar[str] = "EventType"

    events = events_field(
        lambda self: self._ctx.read_model.events_by_type.get(self._r.iri, EMPTY),
        "Events of this type.",
    )


@strawberry.type(description="A role in a membership or a participation, e.g. member, host.")
class Role(Concept):
    _r: strawberry.Private[rec.Concept]
    TYPE_NAME: ClassVar[str] = "Role"


def _activities_by_format(rm: ReadModel) -> dict[str, frozenset[str]]:
    return group((f, a.iri) for a in rm.activities.values() for f in a.formats)


def _activities_by_cluster(rm: ReadModel) -> dict[str, frozenset[str]]:
    return group((a.cluster, a.iri) for a in rm.activities.values() if a.cluster)


@strawberry.type(
    description="A format of a work-programme activity, e.g. thematic review workshop."
)
class ActivityFormat(Concept):
    _r: strawberry.Private[rec.Concept]
    TYPE_NAME: ClassVar[str] = "ActivityFormat"

    @paged("Activities of this format.")
    def activities(self, page: PageArgs) -> Connection[ActivityT]:
        index = derived(self._ctx.read_model, "activities_by_format", _activities_by_format)
        found = index.get(self._r.iri, EMPTY)
        return related(self._ctx, "Activity", found, page)


@strawberry.type(description="A cluster of a work programme, grouping its activities.")
class WorkProgrammeCluster(Concept):
    _r: strawberry.Private[rec.Concept]
    TYPE_NAME: ClassVar[str] = "WorkProgrammeCluster"

    @paged("Activities of this cluster.")
    def activities(self, page: PageArgs) -> Connection[ActivityT]:
        index = derived(self._ctx.read_model, "activities_by_cluster", _activities_by_cluster)
        found = index.get(self._r.iri, EMPTY)
        return related(self._ctx, "Activity", found, page)
