"""Root query fields over the read model: ``node``/``nodes``, one lookup and one list per type,
and ``search``.

Lookups (``practice(id:)``, ``theme(id:)``, …) accept a global ID, an IRI or a slug and answer
``null`` for an entity that does not exist; an argument that cannot name an entity of the type
is a GraphQL error. Lists are connections (see :mod:`graphsvc.api.types.base`).
"""

from __future__ import annotations

from typing import Any

import strawberry

from graphsvc.api.connections import MAX_PAGE_SIZE, Connection, PageArgs, paged
from graphsvc.api.context import Context
from graphsvc.api.types import (
    Activity,
    ActivityFormat,
    Country,
    Event,
    EventConnection,
    EventFilter,
    EventOrder,
    EventType,
    Membership,
    Network,
    Node,
    Pes,
    PesFilter,
    PesOrder,
    Practice,
    PracticeConnection,
    PracticeFilter,
    PracticeOrder,
    Project,
    Region,
    Role,
    TargetGroup,
    Theme,
    WorkProgrammeCluster,
)
from graphsvc.api.types.base import reference, related, wrap
from graphsvc.api.types.events import event_connection
from graphsvc.api.types.organisations import pes_connection
from graphsvc.api.types.practices import practice_connection
from graphsvc.api.types.search import SearchConnection, SearchKind, search_connection
from graphsvc.errors import InputError
from graphsvc.model.ids import COLLECTIONS, parse_global_id
from graphsvc.model.readmodel import ReadModel

__all__ = ["ReadQuery", "find_node"]

Info = strawberry.Info[Context, None]

_IRI_PREFIXES = ("http://", "https://", "urn:")


def find_node(ctx: Context, value: str) -> Any:
    """The object a global ID or an IRI names, or ``None``; raises ``InvalidIdError``."""
    rm: ReadModel = ctx.read_model
    text = value.strip()
    if text.startswith(_IRI_PREFIXES):
        for type_name, collection in COLLECTIONS.items():
            record = getattr(rm, collection).get(text)
            if record is not None:
                return wrap(type_name, ctx, record)
        return None
    type_name, iri = parse_global_id(text)
    return wrap(type_name, ctx, getattr(rm, COLLECTIONS[type_name]).get(iri))


def _lookup(info: Info, value: str, type_name: str) -> Any:
    ctx = info.context
    iri = reference(value, type_name)
    return wrap(type_name, ctx, getattr(ctx.read_model, COLLECTIONS[type_name]).get(iri))


def _everything(info: Info, type_name: str) -> frozenset[str]:
    records: dict[str, Any] = getattr(info.context.read_model, COLLECTIONS[type_name])
    return frozenset(records)


def _all(cls: type[Node], description: str) -> Any:
    """A root field listing every entity of ``cls``, in the type's order."""
    type_name = cls.TYPE_NAME

    def every(self: None, info: Info, page: PageArgs) -> Connection[Any]:
        return related(info.context, type_name, _everything(info, type_name), page)

    # the return type is made at run time, for the type the field lists
    return paged(description, returns=Connection[cls])(every)  # type: ignore[valid-type]


ID_DESCRIPTION = "A global ID, an IRI or a slug of the type (e.g. youth-guarantee)."


@strawberry.type
class ReadQuery:
    @strawberry.field(description="The object with this global ID (or IRI); null if there is none.")
    def node(self, info: Info, id: strawberry.ID) -> Node | None:
        found: Node | None = find_node(info.context, str(id))
        return found

    @strawberry.field(
        description=f"The objects with these global IDs (or IRIs), in order; null for each one "
        f"that does not exist. At most {MAX_PAGE_SIZE} IDs."
    )
    def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise InputError(f"ids: at most {MAX_PAGE_SIZE} IDs per request; got {len(ids)}")
        return [find_node(info.context, str(i)) for i in ids]

    # -- one entity ----------------------------------------------------------------------------

    @strawberry.field(description="A good practice. " + ID_DESCRIPTION)
    def practice(self, info: Info, id: strawberry.ID) -> Practice | None:
        found: Practice | None = _lookup(info, str(id), "Practice")
        return found

    @strawberry.field(description="A PES. " + ID_DESCRIPTION)
    def pes(self, info: Info, id: strawberry.ID) -> Pes | None:
        found: Pes | None = _lookup(info, str(id), "Pes")
        return found

    @strawberry.field(description="A network (wapes, eu-pes-network). " + ID_DESCRIPTION)
    def network(self, info: Info, id: strawberry.ID) -> Network | None:
        found: Network | None = _lookup(info, str(id), "Network")
        return found

    @strawberry.field(description="A membership. A global ID or an IRI.")
    def membership(self, info: Info, id: strawberry.ID) -> Membership | None:
        found: Membership | None = _lookup(info, str(id), "Membership")
        return found

    @strawberry.field(description="A WAPES region. " + ID_DESCRIPTION)
    def region(self, info: Info, id: strawberry.ID) -> Region | None:
        found: Region | None = _lookup(info, str(id), "Region")
        return found

    @strawberry.field(description="A country: a global ID, an IRI or an alpha-3 code (SWE).")
    def country(self, info: Info, id: strawberry.ID) -> Country | None:
        found: Country | None = _lookup(info, str(id), "Country")
        return found

    @strawberry.field(description="A theme. " + ID_DESCRIPTION)
    def theme(self, info: Info, id: strawberry.ID) -> Theme | None:
        found: Theme | None = _lookup(info, str(id), "Theme")
        return found

    @strawberry.field(description="A target group. " + ID_DESCRIPTION)
    def target_group(self, info: Info, id: strawberry.ID) -> TargetGroup | None:
        found: TargetGroup | None = _lookup(info, str(id), "TargetGroup")
        return found

    @strawberry.field(description="An event type. " + ID_DESCRIPTION)
    def event_type(self, info: Info, id: strawberry.ID) -> EventType | None:
        found: EventType | None = _lookup(info, str(id), "EventType")
        return found

    @strawberry.field(description="An event. " + ID_DESCRIPTION)
    def event(self, info: Info, id: strawberry.ID) -> Event | None:
        found: Event | None = _lookup(info, str(id), "Event")
        return found

    @strawberry.field(description="A project. " + ID_DESCRIPTION)
    def project(self, info: Info, id: strawberry.ID) -> Project | None:
        found: Project | None = _lookup(info, str(id), "Project")
        return found

    @strawberry.field(description="A work-programme activity. A global ID or an IRI.")
    def activity(self, info: Info, id: strawberry.ID) -> Activity | None:
        found: Activity | None = _lookup(info, str(id), "Activity")
        return found

    # -- lists ---------------------------------------------------------------------------------

    @paged(
        "Good practices that pass the filter, with facet counts. Without orderBy: "
        "by relevance when filter.search is given, else by title."
    )
    def practices(
        self,
        info: Info,
        page: PageArgs,
        filter: PracticeFilter | None = None,
        order_by: PracticeOrder | None = None,
    ) -> PracticeConnection:
        return practice_connection(info.context, None, filter, order_by, page)

    @paged("PES that pass the filter; by name, or by relevance with filter.search.")
    def public_employment_services(
        self,
        info: Info,
        page: PageArgs,
        filter: PesFilter | None = None,
        order_by: PesOrder | None = None,
    ) -> Connection[Pes]:
        return pes_connection(info.context, None, filter, order_by, page)

    @paged(
        "Events that pass the filter, with facet counts; by date (oldest first), "
        "or by relevance with filter.search."
    )
    def events(
        self,
        info: Info,
        page: PageArgs,
        filter: EventFilter | None = None,
        order_by: EventOrder | None = None,
    ) -> EventConnection:
        return event_connection(info.context, None, filter, order_by, page)

    @paged("Themes by notation; topLevel: true keeps the top of the hierarchy only.")
    def themes(self, info: Info, page: PageArgs, top_level: bool = False) -> Connection[Theme]:
        if top_level:
            themes = info.context.read_model.themes.values()
            scope = frozenset(t.iri for t in themes if not t.broader)
        else:
            scope = _everything(info, "Theme")
        return related(info.context, "Theme", scope, page)

    networks = _all(Network, "Networks by name.")
    memberships = _all(Membership, "Memberships of networks and projects.")
    regions = _all(Region, "WAPES regions by name.")
    countries = _all(Country, "Countries by name.")
    target_groups = _all(TargetGroup, "Target groups by notation.")
    event_types = _all(EventType, "Event types by notation.")
    projects = _all(Project, "Projects by name.")
    activities = _all(Activity, "Work-programme activities by title.")
    roles = _all(Role, "Roles in memberships and participations.")
    activity_formats = _all(ActivityFormat, "Formats of work-programme activities.")
    work_programme_clusters = _all(WorkProgrammeCluster, "Clusters of work programmes.")

    # -- search --------------------------------------------------------------------------------

    @paged(
        "Full-text search over practices, PES, events and themes, best match first. "
        "Accents and case are ignored; the last word also matches as a prefix (search as you "
        "type); an exact title or label ranks first."
    )
    def search(
        self, info: Info, page: PageArgs, query: str, kinds: list[SearchKind] | None = None
    ) -> SearchConnection:
        return search_connection(info.context, query, kinds, page)
