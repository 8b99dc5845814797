"""Projects (with their phases, achievements and steps) and work-programme activities."""

from __future__ import annotations

from collections.abc import Mapping
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
    sources_field,
    wrap,
)
from graphsvc.api.types.events import events_field
from graphsvc.model import records as rec
from graphsvc.model.ids import COLLECTIONS
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
class Achievement(Node):
    _r: strawberry.Private[rec.Achievement]
    TYPE_NAME: ClassVar[str] = "Achievement"

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="Its place in the phase, from 1.")
    def position(self) -> int | None:
        return self._r.position

    @strawberry.field(description="The phase it was reached in.")
    def phase(self) -> ProjectPhase | None:
        found: ProjectPhase | None = wrap(
            "ProjectPhase", self._ctx, self._ctx.read_model.project_phases.get(self._r.phase)
        )
        return found


@strawberry.type(description="A phase of a project.")
class ProjectPhase(Node):
    _r: strawberry.Private[rec.ProjectPhase]
    TYPE_NAME: ClassVar[str] = "ProjectPhase"

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

    @strawberry.field(description="The project it is a phase of.")
    def project(self) -> Project | None:
        found: Project | None = wrap(
            "Project", self._ctx, self._ctx.read_model.projects.get(self._r.project)
        )
        return found

    @paged("What the phase achieved, in order.")
    def achievements(self, page: PageArgs) -> Connection[Achievement]:
        return page_of_list(
            self._ctx,
            self._r.achievements,
            page,
            lambda a: Achievement(_r=a, _ctx=self._ctx),
        )

    @paged("The steps of the project's method that the phase ran, in order.")
    def steps(self, page: PageArgs) -> Connection[ProjectStep]:
        return _parts(self._ctx, "ProjectStep", self._r.steps, page)


@strawberry.type(description="A step of a project's method (e.g. fact finding, planning).")
class ProjectStep(Node):
    _r: strawberry.Private[rec.ProjectStep]
    TYPE_NAME: ClassVar[str] = "ProjectStep"

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="Its place in the method, from 1.")
    def position(self) -> int:
        return self._r.position

    @strawberry.field(description="The project whose method it is a step of.")
    def project(self) -> Project | None:
        found: Project | None = wrap(
            "Project", self._ctx, self._ctx.read_model.projects.get(self._r.project)
        )
        return found

    @paged("The phases that ran the step, in order.")
    def phases(self, page: PageArgs) -> Connection[ProjectPhase]:
        return _parts(self._ctx, "ProjectPhase", self._r.phases, page)


def _parts(ctx: Context, type_name: str, iris: tuple[str, ...], page: PageArgs) -> Connection[Any]:
    """A page of the project parts ``iris`` names, in that order (already the parts' order)."""
    records: Mapping[str, Any] = getattr(ctx.read_model, COLLECTIONS[type_name])
    found = [r for r in map(records.get, iris) if r is not None]
    return page_of_list(ctx, found, page, lambda r: wrap(type_name, ctx, r))


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
            self._ctx, self._r.phases, page, lambda p: ProjectPhase(_r=p, _ctx=self._ctx)
        )

    @paged("The steps of its method, in order.")
    def steps(self, page: PageArgs) -> Connection[ProjectStep]:
        return page_of_list(
            self._ctx, self._r.steps, page, lambda s: ProjectStep(_r=s, _ctx=self._ctx)
        )

    @paged("Its partners (coordinators, beneficiaries, …) with their roles.")
    def partners(self, page: PageArgs) -> Connection[MembershipT]:
        found = self._ctx.read_model.memberships_by_organisation.get(self._r.iri, EMPTY)
        return related(self._ctx, "Membership", found, page)

    events = events_field(
        lambda self: self._ctx.read_model.events_by_project.get(self._r.iri, EMPTY),
        "Events of the project.",
    )

    sources = sources_field()


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

    sources = sources_field()
