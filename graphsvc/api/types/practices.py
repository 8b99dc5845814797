"""Good practices: the ``Practice`` type, its filter, orderings and the faceted ``PracticeConnection``.

Every list of practices in the schema (the root ``practices`` field, a PES's, a theme's, a
country's practices, …) is built by :func:`practice_connection`: the scope of the list (for
example the practices of one theme) intersected with the filter's index selection, ordered by a
precomputed order of the read model, with facet counts on demand (each facet dimension over the
list without its own filter when that filter ORs its values: disjunctive faceting).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.context import Context
from graphsvc.api.history import Revision
from graphsvc.api.recommendations import (
    AFTER_DESCRIPTION,
    DIVERSIFY_DESCRIPTION,
    FIRST_DESCRIPTION,
    Cluster,
    ReasonNode,
    RecommendationFilter,
    RecommendationStrategy,
    RecommendedPracticeConnection,
    cluster_of,
    explanation_path,
    ranked_practices,
)
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    LocalizedText,
    Node,
    filtered_page,
    label_in,
    localized,
    references,
    related,
    wrap,
)
from graphsvc.edit.provenance import history
from graphsvc.errors import InputError
from graphsvc.model import records as rec
from graphsvc.model import selection as sel
from graphsvc.recommend.ranking import RankKind

if TYPE_CHECKING:
    from graphsvc.api.types.concepts import TargetGroup, Theme
    from graphsvc.api.types.events import EventConnection, EventTypeCount
    from graphsvc.api.types.organisations import Network, Pes
    from graphsvc.api.types.places import Country, Region

__all__ = [
    "CountryCount",
    "Match",
    "NetworkCount",
    "PesCount",
    "Practice",
    "PracticeConnection",
    "PracticeFacets",
    "PracticeFilter",
    "PracticeOrder",
    "RegionCount",
    "TargetGroupCount",
    "ThemeCount",
    "YearCount",
    "practice_connection",
    "practice_filter",
]

TYPES = "graphsvc.api.types"
ThemeT = Annotated["Theme", strawberry.lazy(TYPES)]
TargetGroupT = Annotated["TargetGroup", strawberry.lazy(TYPES)]
CountryT = Annotated["Country", strawberry.lazy(TYPES)]
RegionT = Annotated["Region", strawberry.lazy(TYPES)]
PesT = Annotated["Pes", strawberry.lazy(TYPES)]
NetworkT = Annotated["Network", strawberry.lazy(TYPES)]
EventTypeCountT = Annotated["EventTypeCount", strawberry.lazy(TYPES)]
EventConnectionT = Annotated["EventConnection", strawberry.lazy(TYPES)]

YEAR_RANGE = (0, 9999)


@strawberry.enum(description="How a list of themes combines.")
class Match(enum.Enum):
    ANY = "any"
    ALL = "all"


Match.ANY.__doc__ = "At least one of them."
Match.ALL.__doc__ = "Every one of them."


@strawberry.enum(description="Orders of a list of practices.")
class PracticeOrder(enum.Enum):
    TITLE = "practice:title"
    TITLE_DESC = "practice:title_desc"
    NEWEST = "practice:year_desc"
    OLDEST = "practice:year"
    RELEVANCE = "relevance"


@strawberry.input(
    description="Constraints on practices. Values of one field are ORed, fields are ANDed. "
    "References accept a global ID, an IRI or a slug (youth-guarantee; SWE for a country)."
)
class PracticeFilter:
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Practices tagged with these themes; a theme includes its narrower themes.",
    )
    theme_match: Match = strawberry.field(
        default=Match.ANY, description="ANY of the themes (default) or ALL of them."
    )
    countries: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The practice's country (else its PES's country)."
    )
    regions: list[strawberry.ID] | None = strawberry.field(
        default=None, description="WAPES regions of the practice's country."
    )
    networks: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Networks the practice's PES is a member of."
    )
    pes: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The PES the practice is attributed to."
    )
    target_groups: list[strawberry.ID] | None = None
    events: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Events at which the practice was presented."
    )
    event_types: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Presented at an event of one of these types (conference, webinar, …).",
    )
    year: int | None = strawberry.field(default=None, description="The year it started.")
    year_from: int | None = strawberry.field(default=None, description="Started in or after.")
    year_to: int | None = strawberry.field(default=None, description="Started in or before.")
    search: str | None = strawberry.field(
        default=None, description="Words of the title or abstract (accents and case ignored)."
    )


def _year(value: int | None, name: str) -> int | None:
    if value is not None and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise InputError(f"filter.{name}: {value} is not a year")
    return value


def practice_filter(f: PracticeFilter | None) -> sel.PracticeFilter:
    """The model filter of a GraphQL filter; raises ``InvalidIdError`` for a bad reference."""
    if f is None:
        return sel.PracticeFilter()
    year_from = _year(f.year_from, "yearFrom")
    year_to = _year(f.year_to, "yearTo")
    if f.year is not None:
        _year(f.year, "year")
        year_from = f.year if year_from is None else max(year_from, f.year)
        year_to = f.year if year_to is None else min(year_to, f.year)
    return sel.PracticeFilter(
        themes=references(f.themes, "Theme"),
        all_themes=f.theme_match is Match.ALL,
        countries=references(f.countries, "Country"),
        regions=references(f.regions, "Region"),
        networks=references(f.networks, "Network"),
        pes=references(f.pes, "Pes"),
        target_groups=references(f.target_groups, "TargetGroup"),
        events=references(f.events, "Event"),
        event_types=references(f.event_types, "EventType"),
        year_from=year_from,
        year_to=year_to,
        search=f.search,
    )


# -- facets ------------------------------------------------------------------------------------


@strawberry.type(description="A theme and how many items of the list have it (or a narrower one).")
class ThemeCount:
    theme: ThemeT
    count: int


@strawberry.type(description="A country and how many items of the list are in it.")
class CountryCount:
    country: CountryT
    count: int


@strawberry.type(description="A WAPES region and how many items of the list are in it.")
class RegionCount:
    region: RegionT
    count: int


@strawberry.type(description="A target group and how many items of the list address it.")
class TargetGroupCount:
    target_group: TargetGroupT
    count: int


@strawberry.type(description="A PES and how many items of the list are attributed to it.")
class PesCount:
    pes: PesT
    count: int


@strawberry.type(description="A network and how many items of the list come from its members.")
class NetworkCount:
    network: NetworkT
    count: int


@strawberry.type(description="A year and how many items of the list started in it.")
class YearCount:
    year: int
    count: int


def _counts(
    ctx: Context,
    counts: list[sel.FacetCount],
    records: dict[str, Any],
    type_name: str,
    make: Callable[[Any, int], Any],
) -> list[Any]:
    return [make(wrap(type_name, ctx, records[key]), n) for key, n in counts if key in records]


@strawberry.type(
    description="Counts of the practices of the list (all pages) per value, for a filter panel. "
    "Largest first; years in calendar order; values with no practice are left out. A dimension "
    "whose filter ORs its values (countries, regions, targetGroups, pes, networks, eventTypes, "
    "the years of year/yearFrom/yearTo, themes with themeMatch ANY) is counted over the "
    "practices that pass every other filter, so each value not picked yet shows how many "
    "practices it would add; themes with themeMatch ALL are counted within the list "
    "(drill-down)."
)
class PracticeFacets:
    _facets: strawberry.Private[sel.Facets]
    _ctx: strawberry.Private[Context]

    @strawberry.field(
        description="Per theme; a theme counts its narrower themes' practices. Without the "
        "themes filter when themeMatch is ANY, within the list when it is ALL."
    )
    def themes(self) -> list[ThemeCount]:
        rm = self._ctx.read_model
        return _counts(
            self._ctx,
            self._facets.counts("themes"),
            rm.themes,
            "Theme",
            lambda t, n: ThemeCount(theme=t, count=n),
        )

    @strawberry.field(description="Per country, without the countries filter.")
    def countries(self) -> list[CountryCount]:
        rm = self._ctx.read_model
        return _counts(
            self._ctx,
            self._facets.counts("countries"),
            rm.countries,
            "Country",
            lambda c, n: CountryCount(country=c, count=n),
        )

    @strawberry.field(description="Per WAPES region, without the regions filter.")
    def regions(self) -> list[RegionCount]:
        rm = self._ctx.read_model
        return _counts(
            self._ctx,
            self._facets.counts("regions"),
            rm.regions,
            "Region",
            lambda r, n: RegionCount(region=r, count=n),
        )

    @strawberry.field(description="Per target group, without the targetGroups filter.")
    def target_groups(self) -> list[TargetGroupCount]:
        rm = self._ctx.read_model
        return _counts(
            self._ctx,
            self._facets.counts("target_groups"),
            rm.target_groups,
            "TargetGroup",
            lambda t, n: TargetGroupCount(target_group=t, count=n),
        )

    @strawberry.field(description="Per year, without the year, yearFrom and yearTo filters.")
    def years(self) -> list[YearCount]:
        return [YearCount(year=y, count=n) for y, n in self._facets.counts("years")]

    @strawberry.field(description="Per PES (the most active first), without the pes filter.")
    def pes(self) -> list[PesCount]:
        return _counts(
            self._ctx,
            self._facets.counts("pes"),
            self._ctx.read_model.pes,
            "Pes",
            lambda p, n: PesCount(pes=p, count=n),
        )

    @strawberry.field(description="Per network of the practices' PES, without the networks filter.")
    def networks(self) -> list[NetworkCount]:
        return _counts(
            self._ctx,
            self._facets.counts("networks"),
            self._ctx.read_model.networks,
            "Network",
            lambda w, n: NetworkCount(network=w, count=n),
        )

    @strawberry.field(
        description="Per type of the events the practices were presented at (a practice counts "
        "once per type), without the eventTypes filter."
    )
    def event_types(self) -> list[EventTypeCountT]:
        from graphsvc.api.types.events import EventTypeCount

        return _counts(
            self._ctx,
            self._facets.counts("event_types"),
            self._ctx.read_model.event_types,
            "EventType",
            lambda t, n: EventTypeCount(event_type=t, count=n),
        )


@strawberry.type(description="A page of practices, with the size of the list and its facets.")
class PracticeConnection(Connection[Annotated["Practice", strawberry.lazy(TYPES)]]):
    _selection: strawberry.Private[sel.Selection]
    _scope: strawberry.Private[sel.Selection]
    _constraints: strawberry.Private[sel.Constraints]
    _ctx: strawberry.Private[Context]

    @strawberry.field(
        description="Counts per theme, country, region, target group, year, PES, network and "
        "event type; each dimension leaves out its own filter when that filter ORs its values "
        "(see PracticeFacets)."
    )
    def facets(self) -> PracticeFacets:
        facets = sel.practice_facets(
            self._ctx.read_model, self._constraints, self._scope, self._selection
        )
        return PracticeFacets(_facets=facets, _ctx=self._ctx)


def practice_connection(
    ctx: Context,
    scope: sel.Selection,
    f: PracticeFilter | None,
    order: PracticeOrder | None,
    args: PageArgs,
) -> PracticeConnection:
    """A page of the practices in ``scope`` (``None``: all) that pass ``f``, in ``order``.

    Without an order the list is by relevance when ``f.search`` is given, else by title.
    """
    c = sel.practice_constraints(ctx.read_model, practice_filter(f))
    result = filtered_page(
        ctx,
        Practice,
        (c.selection(), c.scores),
        scope,
        order,
        PracticeOrder.TITLE,
        args,
        PracticeConnection,
        _constraints=c,
    )
    assert isinstance(result, PracticeConnection)
    return result


def practices_field(scope: Callable[[Any], sel.Selection], description: str) -> Any:
    """A ``practices(filter, orderBy, first, after, last, before)`` field over ``scope(self)``."""

    @paged(description)
    def practices(
        self: Any,
        page: PageArgs,
        filter: PracticeFilter | None = None,
        order_by: PracticeOrder | None = None,
    ) -> PracticeConnection:
        return practice_connection(self._ctx, scope(self), filter, order_by, page)

    return practices


# -- the practice ------------------------------------------------------------------------------


@strawberry.type(description="A good practice of a PES (pes:GoodPractice).")
class Practice(Node):
    _r: strawberry.Private[rec.Practice]
    TYPE_NAME: ClassVar[str] = "Practice"

    @strawberry.field(
        description="Practices related to this one, ranked (a Relay connection over a stable "
        "ranking), each with its score, strength, the contribution of each signal and the "
        "reasons (shared themes, key terms, region, events, or a path). By default at most 3 of "
        "every 10 are of this practice's PES."
    )
    def related(
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
            RankKind.RELATED,
            self._r.iri,
            first,
            after,
            strategy,
            diversify,
            filter,
            lang,
        )

    @strawberry.field(
        description="The community of practices this one belongs to (Louvain), with its top themes."
    )
    def cluster(self) -> Cluster | None:
        return cluster_of(self._ctx, self._r.iri)

    @strawberry.field(
        description="The cheapest path from this practice to another through themes, events, "
        "PES and places (edge cost 1 / weight); empty if none is short enough."
    )
    def explanation_path(
        self,
        to: Annotated[strawberry.ID, strawberry.argument(description="The other practice.")],
        lang: Annotated[str, strawberry.argument(description=LANG_DESCRIPTION)] = DEFAULT_LANG,
    ) -> list[ReasonNode]:
        return explanation_path(self._ctx, self._r.iri, str(to), lang)

    @strawberry.field(description="The title in the requested language. " + LANG_DESCRIPTION)
    def title(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.title, lang, self._r.iri)

    @strawberry.field(description="The title in every language it has.")
    def titles(self) -> list[LocalizedText]:
        return localized(self._r.title)

    @strawberry.field(description="The summary in the requested language. " + LANG_DESCRIPTION)
    def abstract(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.abstract, lang) or None

    @strawberry.field(description="The summary in every language it has.")
    def abstracts(self) -> list[LocalizedText]:
        return localized(self._r.abstract)

    @strawberry.field(description="When it started: a year (2019) or a date (2019-05-01).")
    def date(self) -> str | None:
        return self._r.date

    @strawberry.field(description="The year it started.")
    def year(self) -> int | None:
        return self._r.year

    @paged("Its themes (dct:subject), by notation.")
    def themes(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.themes, page)

    @paged("The groups of people it addresses (dct:audience).")
    def target_groups(self, page: PageArgs) -> Connection[TargetGroupT]:
        return related(self._ctx, "TargetGroup", self._r.target_groups, page)

    @strawberry.field(description="Its country: its own dct:spatial, else its PES's country.")
    def country(self) -> CountryT | None:
        rm = self._ctx.read_model
        found: CountryT | None = wrap(
            "Country", self._ctx, rm.countries.get(rm.practice_country(self._r) or "")
        )
        return found

    @strawberry.field(description="The WAPES region of its country.")
    def region(self) -> RegionT | None:
        rm = self._ctx.read_model
        found: RegionT | None = wrap(
            "Region", self._ctx, rm.regions.get(rm.practice_region(self._r) or "")
        )
        return found

    @strawberry.field(description="The PES it is attributed to (prov:wasAttributedTo).")
    def pes(self) -> PesT | None:
        found: PesT | None = wrap("Pes", self._ctx, self._ctx.read_model.pes.get(self._r.pes or ""))
        return found

    @paged("Events at which it was presented, oldest first.")
    def events(self, page: PageArgs) -> EventConnectionT:
        from graphsvc.api.types.events import event_connection

        known = self._ctx.read_model.events.keys() & set(self._r.events)
        return event_connection(self._ctx, frozenset(known), None, None, page)

    @strawberry.field(description="Public web pages and documents it is described in.")
    def sources(self) -> list[str]:
        return list(self._r.sources)

    @strawberry.field(description="How sure the curators are of the facts, when stated.")
    def confidence(self) -> str | None:
        return self._r.confidence

    @strawberry.field(
        description="Every recorded change, oldest first (read from the provenance graph)."
    )
    def revisions(self) -> list[Revision]:
        return [Revision.from_record(r) for r in history(self._ctx.services.store, self._r.iri)]
