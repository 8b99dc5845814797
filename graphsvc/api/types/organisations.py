"""PES, networks, memberships and other parties; the filtered list of PES."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.context import Context
from graphsvc.api.recommendations import (
    AFTER_DESCRIPTION,
    DIVERSIFY_DESCRIPTION,
    FIRST_DESCRIPTION,
    PeerPesConnection,
    RecommendationFilter,
    RecommendationStrategy,
    RecommendedPracticeConnection,
    peers_of,
    ranked_practices,
)
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    Agent,
    Node,
    agent,
    filtered_page,
    homepage_field,
    label_in,
    references,
    related,
    sources_field,
    wrap,
)
from graphsvc.api.types.events import events_field
from graphsvc.api.types.practices import practices_field
from graphsvc.model import records as rec
from graphsvc.model import selection as sel
from graphsvc.model.readmodel import EMPTY
from graphsvc.recommend.ranking import RankKind

if TYPE_CHECKING:
    from graphsvc.api.types.concepts import Role
    from graphsvc.api.types.places import Country, Region
    from graphsvc.api.types.projects import Project

__all__ = [
    "Membership",
    "Network",
    "OtherAgent",
    "Pes",
    "PesFilter",
    "PesOrder",
    "pes_connection",
    "pes_field",
]

TYPES = "graphsvc.api.types"
CountryT = Annotated["Country", strawberry.lazy(TYPES)]
RegionT = Annotated["Region", strawberry.lazy(TYPES)]
RoleT = Annotated["Role", strawberry.lazy(TYPES)]
ProjectT = Annotated["Project", strawberry.lazy(TYPES)]
PesT = Annotated["Pes", strawberry.lazy(TYPES)]


@strawberry.enum(description="Orders of a list of PES.")
class PesOrder(enum.Enum):
    NAME = "pes:label"
    RELEVANCE = "relevance"


@strawberry.input(
    description="Constraints on PES. Values of one field are ORed, fields are ANDed. "
    "References accept a global ID, an IRI or a slug (SWE for a country)."
)
class PesFilter:
    countries: list[strawberry.ID] | None = None
    regions: list[strawberry.ID] | None = strawberry.field(
        default=None, description="WAPES regions of the PES's country."
    )
    networks: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Networks the PES is a member of."
    )
    search: str | None = strawberry.field(
        default=None, description="Words of the name or acronym (accents and case ignored)."
    )


def pes_connection(
    ctx: Context,
    scope: sel.Selection,
    f: PesFilter | None,
    order: PesOrder | None,
    args: PageArgs,
) -> Connection[PesT]:
    """A page of the PES in ``scope`` (``None``: all) that pass ``f``; by name, or by
    relevance when ``f.search`` is given."""
    model_filter = sel.PesFilter()
    if f is not None:
        model_filter = sel.PesFilter(
            countries=references(f.countries, "Country"),
            regions=references(f.regions, "Region"),
            networks=references(f.networks, "Network"),
            search=f.search,
        )
    found = sel.select_pes(ctx.read_model, model_filter)
    return filtered_page(ctx, Pes, found, scope, order, PesOrder.NAME, args)


def pes_field(scope: Callable[[Any], sel.Selection], description: str) -> Any:
    """A ``(filter, orderBy, first, after, last, before)`` field listing the PES of ``scope``."""

    @paged(description)
    def pes(
        self: Any,
        page: PageArgs,
        filter: PesFilter | None = None,
        order_by: PesOrder | None = None,
    ) -> Connection[PesT]:
        return pes_connection(self._ctx, scope(self), filter, order_by, page)

    return pes


def _memberships(self: Any, page: PageArgs) -> Connection[Any]:
    found = self._ctx.read_model.memberships_by_member.get(self._r.iri, EMPTY)
    return related(self._ctx, "Membership", found, page)


_AGENT_EVENTS = "Events it hosted, organised, moderated or took part in."


def _agent_events(self: Any) -> sel.Selection:
    found: sel.Selection = self._ctx.read_model.events_by_pes.get(self._r.iri, EMPTY)
    return found


@strawberry.type(description="A public employment service (cv:PublicOrganisation).")
class Pes(Agent):
    _r: strawberry.Private[rec.Pes]
    TYPE_NAME: ClassVar[str] = "Pes"

    @strawberry.field(description="Its main acronym (the first alternative label), e.g. BA.")
    def acronym(self) -> str | None:
        alt = self._r.alt_labels
        return min(alt, key=len) if alt else None

    homepage = homepage_field()

    @strawberry.field(description="The country it serves.")
    def country(self) -> CountryT | None:
        found: CountryT | None = wrap(
            "Country", self._ctx, self._ctx.read_model.countries.get(self._r.country or "")
        )
        return found

    @strawberry.field(description="The WAPES region of its country.")
    def region(self) -> RegionT | None:
        rm = self._ctx.read_model
        found: RegionT | None = wrap(
            "Region", self._ctx, rm.regions.get(rm.pes_region(self._r) or "")
        )
        return found

    @paged("Networks it is a member of (WAPES, the European PES Network).")
    def networks(self, page: PageArgs) -> Connection[Network]:
        found = self._ctx.read_model.networks_by_member.get(self._r.iri, EMPTY)
        return related(self._ctx, "Network", found, page)

    @strawberry.field(
        description="Practices of other PES on the themes this PES works on, which it does not "
        "have yet (a Relay connection over a stable ranking), each with its score, strength and "
        "reasons."
    )
    def recommended_practices(
        self,
        first: Annotated[int, strawberry.argument(description=FIRST_DESCRIPTION)] = 10,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        strategy: RecommendationStrategy = RecommendationStrategy.HYBRID,
        diversify: Annotated[bool, strawberry.argument(description=DIVERSIFY_DESCRIPTION)] = True,
        filter: RecommendationFilter | None = None,
        lang: Annotated[str, strawberry.argument(description=LANG_DESCRIPTION)] = DEFAULT_LANG,
    ) -> RecommendedPracticeConnection:
        return ranked_practices(
            self._ctx,
            RankKind.FOR_PES,
            self._r.iri,
            first,
            after,
            strategy,
            diversify,
            filter,
            lang,
        )

    @strawberry.field(
        description="PES with similar portfolios of practices (themes, target groups, events), "
        "region and networks, for benchlearning (a Relay connection); each with its score, "
        "strength and reasons. Ties are broken by portfolio size, then name."
    )
    def peers(
        self,
        first: Annotated[int, strawberry.argument(description=FIRST_DESCRIPTION)] = 10,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        filter: RecommendationFilter | None = None,
        lang: Annotated[str, strawberry.argument(description=LANG_DESCRIPTION)] = DEFAULT_LANG,
    ) -> PeerPesConnection:
        return peers_of(self._ctx, self._r.iri, first, after, filter, lang)

    @paged("Projects it takes part in.")
    def projects(self, page: PageArgs) -> Connection[ProjectT]:
        found = self._ctx.read_model.networks_by_member.get(self._r.iri, EMPTY)
        return related(self._ctx, "Project", found, page)

    @paged("Its memberships of networks and projects, with roles and dates.")
    def memberships(self, page: PageArgs) -> Connection[Membership]:
        return _memberships(self, page)

    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_pes.get(self._r.iri, EMPTY),
        "Its good practices.",
    )
    events = events_field(_agent_events, _AGENT_EVENTS)

    sources = sources_field()

    @strawberry.field(description="How sure the curators are of the facts, when stated.")
    def confidence(self) -> str | None:
        return self._r.confidence


@strawberry.type(description="A network of PES: WAPES or the European PES Network.")
class Network(Agent):
    _r: strawberry.Private[rec.Network]
    TYPE_NAME: ClassVar[str] = "Network"

    @strawberry.field(description="What it is. " + LANG_DESCRIPTION)
    def description(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.description, lang) or None

    @strawberry.field(description="IRIs of its classes, e.g. org:FormalOrganization.")
    def kinds(self) -> list[str]:
        return list(self._r.kinds)

    @strawberry.field(description="The act that established it (an ELI), if any.")
    def legal_basis(self) -> str | None:
        return self._r.legal_basis

    @strawberry.field(description="When it was founded (a year, a month or a date).")
    def created(self) -> str | None:
        return self._r.created

    homepage = homepage_field()

    @paged("Its regions (WAPES).")
    def regions(self, page: PageArgs) -> Connection[RegionT]:
        found = self._ctx.read_model.regions_by_network.get(self._r.iri, EMPTY)
        return related(self._ctx, "Region", found, page)

    @paged("Its bodies, e.g. the Board, the General Assembly.")
    def units(self, page: PageArgs) -> Connection[OtherAgent]:
        return related(self._ctx, "OtherAgent", self._r.regions, page)

    members = pes_field(
        lambda self: self._ctx.read_model.pes_by_network.get(self._r.iri, EMPTY),
        "Its member PES.",
    )

    @paged("Every membership of it (PES and others), with roles and dates.")
    def memberships(self, page: PageArgs) -> Connection[Membership]:
        found = self._ctx.read_model.memberships_by_organisation.get(self._r.iri, EMPTY)
        return related(self._ctx, "Membership", found, page)

    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_network.get(self._r.iri, EMPTY),
        "Practices of its member PES.",
    )
    events = events_field(_agent_events, _AGENT_EVENTS)

    sources = sources_field()


@strawberry.type(description="Membership of an agent in a network or a project (org:Membership).")
class Membership(Node):
    _r: strawberry.Private[rec.Membership]
    TYPE_NAME: ClassVar[str] = "Membership"

    @strawberry.field(description="The member: a PES, a network or another party.")
    def member(self) -> Agent | None:
        found: Agent | None = agent(self._ctx, self._r.member)
        return found

    @strawberry.field(description="The network or project it is a membership of.")
    def organization(self) -> Agent | None:
        found: Agent | None = agent(self._ctx, self._r.organization)
        return found

    @strawberry.field(description="The member's role, e.g. member, coordinator, beneficiary.")
    def role(self) -> RoleT | None:
        found: RoleT | None = wrap(
            "Role", self._ctx, self._ctx.read_model.roles.get(self._r.role or "")
        )
        return found

    @strawberry.field(description="Since when (ISO 8601), if known.")
    def start_date(self) -> str | None:
        return self._r.start

    @strawberry.field(description="Until when (ISO 8601), if it ended.")
    def end_date(self) -> str | None:
        return self._r.end

    sources = sources_field()


@strawberry.type(description="A party that is neither a PES nor a network, e.g. the Commission.")
class OtherAgent(Agent):
    _r: strawberry.Private[rec.Agent]
    TYPE_NAME: ClassVar[str] = "OtherAgent"

    @paged("Its memberships of networks and projects.")
    def memberships(self, page: PageArgs) -> Connection[Membership]:
        return _memberships(self, page)

    events = events_field(_agent_events, _AGENT_EVENTS)
