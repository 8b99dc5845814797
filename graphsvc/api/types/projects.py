"""Projects (with their phases, achievements and steps) and work-programme activities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.context import Context
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    Agent,
    Node,
    label_in,
    page_of_list,
    related,
    wrap,
)
from graphsvc.api.types.events import events_field
from graphsvc.model import records as rec
from graphsvc.model.readmodel import EMPTY

if TYPE_CHECKING:
    from graphsvc.api.types.concepts import ActivityFormat, Theme, WorkProgrammeCluster
    from graphsvc.api.types.organisations import Membership

__all__ = [
    "Achievement",
    "Activity",
    "ActivityExtra",
    "Project",
    "ProjectPhase",
    "ProjectStep",
]

TYPES = "graphsvc.api.types"
ThemeT = Annotated["Theme", strawberry.lazy(TYPES)]
MembershipT = Annotated["Membership", strawberry.lazy(TYPES)]
FormatT = Annotated["ActivityFormat", strawberry.lazy(TYPES)]
ClusterT = Annotated["WorkProgrammeCluster", strawberry.lazy(TYPES)]


# -- projects ----------------------------------------------------------------------------------


@strawberry.type(description="A result of a project phase.")
class Achievement:
    _r: strawberry.Private[rec.Achievement]

    @strawberry.field
    def iri(self) -> str:
        return self._r.iri

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="Its place in the phase, from 1.")
    def position(self) -> int | None:
        return self._r.position


@strawberry.type(description="A phase of a project.")
class ProjectPhase:
    _r: strawberry.Private[rec.ProjectPhase]
    _ctx: strawberry.Private[Context]

    @strawberry.field
    def iri(self) -> str:
        return self._r.iri

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="Its place in the project, from 1.")
    def position(self) -> int | None:
        return self._r.position

    @strawberry.field(description="First year or day.")
    def start_date(self) -> str | None:
        return self._r.start

    @strawberry.field(description="Last year or day.")
    def end_date(self) -> str | None:
        return self._r.end

    @paged("What the phase achieved, in order.")
    def achievements(self, page: PageArgs) -> Connection[Achievement]:
        return page_of_list(
            self._ctx,
            self._r.achievements,
            page,
            lambda a: Achievement(_r=a),
        )


@strawberry.type(description="A step of a project's method (e.g. fact finding, planning).")
class ProjectStep:
    _r: strawberry.Private[rec.ProjectStep]

    @strawberry.field
    def iri(self) -> str:
        return self._r.iri

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="Its place in the method, from 1.")
    def position(self) -> int:
        return self._r.position


def _by_position(items: tuple[Any, ...]) -> list[Any]:
    return sorted(items, key=lambda x: (x.position is None, x.position or 0, x.iri))


@strawberry.type(description="A project of PES and networks, e.g. the JAPAN-WAPES Joint Project.")
class Project(Agent):
    _r: strawberry.Private[rec.Project]
    TYPE_NAME: ClassVar[str] = "Project"

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="What it is about. " + LANG_DESCRIPTION)
    def description(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.description, lang) or None

    @strawberry.field(description="When it started (a year or a date).")
    def start_date(self) -> str | None:
        return self._r.start

    @paged("Its themes.")
    def themes(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.themes, page)

    @paged("Its phases, in order.")
    def phases(self, page: PageArgs) -> Connection[ProjectPhase]:
        return page_of_list(
            self._ctx,
            _by_position(self._r.phases),
            page,
            lambda p: ProjectPhase(_r=p, _ctx=self._ctx),
        )

    @paged("The steps of its method, in order.")
    def steps(self, page: PageArgs) -> Connection[ProjectStep]:
        return page_of_list(
            self._ctx,
            _by_position(self._r.steps),
            page,
            lambda s: ProjectStep(_r=s),
        )

    @paged("Its partners (coordinators, beneficiaries, …) with their roles.")
    def partners(self, page: PageArgs) -> Connection[MembershipT]:
        found = self._ctx.read_model.memberships_by_organisation.get(self._r.iri, EMPTY)
        return related(self._ctx, "Membership", found, page)

    events = events_field(
        lambda self: self._ctx.read_model.events_by_project.get(self._r.iri, EMPTY),
        "Events of the project.",
    )

    @strawberry.field(description="Where the facts come from.")
    def sources(self) -> list[str]:
        return list(self._r.sources)


# -- work-programme activities -----------------------------------------------------------------


@strawberry.type(description="A further detail of an activity, as a name and a value.")
class ActivityExtra:
    key: str
    value: str


@strawberry.type(description="An activity of a work programme (e.g. the PES Network's 2022 one).")
class Activity(Node):
    _r: strawberry.Private[rec.Activity]
    TYPE_NAME: ClassVar[str] = "Activity"

    @strawberry.field(description="The title. " + LANG_DESCRIPTION)
    def title(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.title, lang, self._r.iri)

    @strawberry.field(description="What it does. " + LANG_DESCRIPTION)
    def description(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.description, lang) or None

    @strawberry.field(description="The cluster of the work programme it belongs to.")
    def cluster(self) -> ClusterT | None:
        record = self._ctx.read_model.clusters.get(self._r.cluster or "")
        found: ClusterT | None = wrap("WorkProgrammeCluster", self._ctx, record)
        return found

    @paged("Its formats (workshop, peer review, …).")
    def formats(self, page: PageArgs) -> Connection[FormatT]:
        return related(self._ctx, "ActivityFormat", self._r.formats, page)

    @paged("Its themes.")
    def themes(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.themes, page)

    @strawberry.field(description="IRI of the work programme.")
    def work_programme(self) -> str | None:
        return self._r.work_programme

    @strawberry.field(description="Further details, by name.")
    def extra(self) -> list[ActivityExtra]:
        return [ActivityExtra(key=k, value=v) for k, v in sorted(self._r.extra.items())]

    @strawberry.field(description="Where the facts come from.")
    def sources(self) -> list[str]:
        return list(self._r.sources)
