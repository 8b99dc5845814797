"""Root query fields over the read model: ``node``/``nodes``, one lookup and one list per type,
and ``search``.

Lookups (``practice(id:)``, ``theme(id:)``, …) accept a global ID, an IRI or a slug and answer
``null`` for an entity that does not exist; an argument that cannot name an entity of the type
is a GraphQL error. Lists are connections (see :mod:`graphsvc.api.types.base`).
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

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


def _one(cls: type[Node], description: str) -> Any:
    """A root field looking up one entity of ``cls`` by ``id``; null if it does not exist."""
    type_name = cls.TYPE_NAME

    def lookup(self: None, info: Info, id: strawberry.ID) -> Any:
        return _lookup(info, str(id), type_name)

    # the return type is made at run time, for the type the field looks up
    lookup.__signature__ = inspect.signature(lookup).replace(  # type: ignore[attr-defined]
        return_annotation=Optional[cls]  # noqa: UP045 (a runtime type, not an annotation)
    )
    return strawberry.field(resolver=lookup, description=description)


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

    practice = _one(Practice, "A good practice. " + ID_DESCRIPTION)
    pes = _one(Pes, "A PES. " + ID_DESCRIPTION)
    network = _one(Network, "A network (wapes, eu-pes-network). " + ID_DESCRIPTION)
    membership = _one(Membership, "A membership. A global ID or an IRI.")
    region = _one(Region, "A WAPES region. " + ID_DESCRIPTION)
    country = _one(Country, "A country: a global ID, an IRI or an alpha-3 code (SWE).")
    theme = _one(Theme, "A theme. " + ID_DESCRIPTION)
    target_group = _one(TargetGroup, "A target group. " + ID_DESCRIPTION)
    event_type = _one(EventType, "An event type. " + ID_DESCRIPTION)
    event = _one(Event, "An event. " + ID_DESCRIPTION)
    project = _one(Project, "A project. " + ID_DESCRIPTION)
    activity = _one(Activity, "A work-programme activity. A global ID or an IRI.")

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
