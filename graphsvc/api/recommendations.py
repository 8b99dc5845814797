"""GraphQL recommendations: ranked items that say why they are recommended.

Fields (wired into the object types and the root query with one line each):

- ``Practice.related``: practices related to this one;
- ``Pes.recommendedPractices``: practices of other PES on the themes this PES works on, which it
  does not have yet;
- ``Pes.peers``: PES with similar portfolios, for benchlearning;
- ``Query.recommend(themes, country, targetGroups)``: for a member with no practice in the graph;
- ``Practice.cluster``, ``Query.clusters``: the communities of practices, labelled by their top
  themes; ``Practice.explanationPath(to)``: the cheapest path between two practices.

The four rankings are Relay connections over one stable ranking (``first`` up to 100, ``after``
a cursor of an earlier page), diversified by default (at most 3 of 10 from the query's own PES;
``diversify: false`` turns it off), with ``filter`` (other PES only, countries, WAPES regions,
themes with their narrower themes, target groups, networks, a year range), ``strategy`` and the
``lang`` of the reasons (en, fr, es, sv). ``totalCount`` counts the whole ranking; an empty one
says why in ``emptyReason``. Each item carries ``rank``, a bounded ``score`` with its
``strength``, ``contributions`` (they sum to the score) and ``reasons``. Resolvers only call
:func:`graphsvc.recommend.ranking.rank` on the index the service keeps current;
``docs/recommendations.md`` describes the algorithms and weights.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphsvc.api.connections import Connection, PaginationError, decode_cursor
from graphsvc.api.context import Context
from graphsvc.api.types.base import reference, references, wrap
from graphsvc.edit.auth import Principal
from graphsvc.recommend import explain
from graphsvc.recommend.communities import Cluster as ClusterRecord
from graphsvc.recommend.explain import strength_of
from graphsvc.recommend.ranking import (
    MAX_FIRST,
    STRENGTH_BANDS,
    Filters,
    Ranking,
    RankKind,
    RankRequest,
)
from graphsvc.recommend.reasons import join_labels, language

if TYPE_CHECKING:
    from graphsvc.api.types.concepts import Theme
    from graphsvc.api.types.organisations import Pes
    from graphsvc.api.types.practices import Practice

__all__ = [
    "AFTER_DESCRIPTION",
    "DIVERSIFY_DESCRIPTION",
    "FIRST_DESCRIPTION",
    "LANG_DESCRIPTION",
    "MAX_RECOMMENDATIONS",
    "Cluster",
    "Contribution",
    "PeerPes",
    "PeerPesConnection",
    "Reason",
    "ReasonNode",
    "RecommendationFilter",
    "RecommendationQuery",
    "RecommendationStrategy",
    "RecommendationStrength",
    "RecommendedPractice",
    "RecommendedPracticeConnection",
    "cluster_of",
    "explanation_path",
    "peers_of",
    "ranked_practices",
]

TYPES = "graphsvc.api.types"
PracticeT = Annotated["Practice", strawberry.lazy(TYPES)]
PesT = Annotated["Pes", strawberry.lazy(TYPES)]
ThemeT = Annotated["Theme", strawberry.lazy(TYPES)]

MAX_RECOMMENDATIONS = MAX_FIRST
FIRST_DESCRIPTION = f"How many items (default 10, at most {MAX_RECOMMENDATIONS})."
AFTER_DESCRIPTION = "The cursor of the last item of the page before (endCursor)."
DIVERSIFY_DESCRIPTION = (
    "Mix PES, countries and communities (the default): at most 3 of every 10 items from the "
    "query's own PES. false ranks by score alone."
)
LANG_DESCRIPTION = "Language of the reasons and labels: en, fr, es or sv (others: en)."


@strawberry.enum(description="How practices are ranked.")
class RecommendationStrategy(enum.Enum):
    HYBRID = "hybrid"
    PAGERANK = "pagerank"
    SIMILARITY = "similarity"
    TEXT = "text"


RecommendationStrategy.HYBRID.__doc__ = (
    "0.6 x similarity + 0.25 x personalised PageRank + 0.15 x text, each bounded (the default)."
)
RecommendationStrategy.PAGERANK.__doc__ = (
    "Personalised PageRank from the query, over what a twin of the query would get."
)
RecommendationStrategy.SIMILARITY.__doc__ = (
    "Weighted Adamic-Adar over shared themes (and broader or narrower ones, decayed), target "
    "groups, PES, country, region and events."
)
RecommendationStrategy.TEXT.__doc__ = "Shared key terms of titles and abstracts (TF-IDF)."


@strawberry.enum(description="How strongly an item is related; the same bands for every query.")
class RecommendationStrength(enum.Enum):
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


@strawberry.input(description="What ranked items must match; within one list, any value.")
class RecommendationFilter:
    other_pes_only: bool = strawberry.field(
        default=False, description="Leave out the query's own PES."
    )
    countries: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Countries (global ID, IRI or ISO code such as SWE)."
    )
    regions: list[strawberry.ID] | None = strawberry.field(
        default=None, description="WAPES regions."
    )
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Themes; each includes its narrower themes."
    )
    target_groups: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Target groups."
    )
    networks: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Networks the practice's PES (or the peer) belongs to."
    )
    year_from: int | None = strawberry.field(default=None, description="First year, included.")
    year_to: int | None = strawberry.field(default=None, description="Last year, included.")


@strawberry.type(description="The part of a score that one signal gave through one method.")
class Contribution:
    signal: str = strawberry.field(
        description="theme, related-theme (broader or narrower, decayed), broader-theme, "
        "target-group, pes, country, region, event, text, walk (PageRank through nodes the query "
        "does not link to), feedback, or network."
    )
    method: str = strawberry.field(description="similarity, pagerank, tfidf or feedback.")
    value: float


@strawberry.type(description="A node a reason names.")
class ReasonNode:
    iri: str
    label: str
    kind: str = strawberry.field(
        description="practice, pes, country, region, theme, target_group, event or network."
    )


@strawberry.type(description="Why an item is recommended, naming the nodes involved.")
class Reason:
    signal: str = strawberry.field(description="The signal, or path for a path in the graph.")
    text: str = strawberry.field(description='For example "same WAPES region (Europe)".')
    nodes: list[ReasonNode]


@strawberry.type(description="A recommended practice with its score and reasons.")
class RecommendedPractice:
    rank: int
    score: float = strawberry.field(
        description="In [0, 1] and comparable across queries; items under 0.1 are not shown."
    )
    practice: PracticeT
    contributions: list[Contribution]
    reasons: list[Reason]
    level: strawberry.Private[str | None] = None

    @strawberry.field(description="strong from 0.45, moderate from 0.25, else weak.")
    def strength(self) -> RecommendationStrength:
        return RecommendationStrength(self.level or strength_of(self.score, STRENGTH_BANDS).value)


@strawberry.type(description="A peer PES with a similar portfolio, with its score and reasons.")
class PeerPes:
    rank: int
    score: float = strawberry.field(description="Higher is more similar; in [0, 1].")
    pes: PesT
    contributions: list[Contribution]
    reasons: list[Reason]
    strength: RecommendationStrength = strawberry.field(
        description="strong from 0.5, moderate from 0.25, else weak."
    )


@strawberry.type(description="A page of recommended practices.")
class RecommendedPracticeConnection(Connection[RecommendedPractice]):
    empty_reason: str | None = strawberry.field(
        default=None, description="Why the ranking is empty (null when it is not)."
    )


@strawberry.type(description="A page of peer PES.")
class PeerPesConnection(Connection[PeerPes]):
    empty_reason: str | None = strawberry.field(
        default=None, description="Why the ranking is empty (null when it is not)."
    )


@strawberry.type(description="A community of practices found by Louvain, with its top themes.")
class Cluster:
    number: int = strawberry.field(description="Stable for the same data.")
    size: int = strawberry.field(description="How many practices it holds.")
    record: strawberry.Private[ClusterRecord]
    ctx: strawberry.Private[Context]

    @strawberry.field(description="Its top themes (most practices first).")
    def themes(self) -> list[ThemeT]:
        themes = self.ctx.read_model.themes
        return [
            wrap("Theme", self.ctx, themes.get(t)) for t, _ in self.record.themes if t in themes
        ]

    @strawberry.field(description="Its top themes joined, in the language. " + LANG_DESCRIPTION)
    def label(self, lang: str = "en") -> str:
        index = self.ctx.services.recommendations
        names = [index.ref_of(t, lang).label for t, _ in self.record.themes if index.has_node(t)]
        return join_labels(names, language(lang))


# -- building requests and pages ------------------------------------------------------------------


def _filters(found: RecommendationFilter | None) -> Filters:
    if found is None:
        return Filters()
    return Filters(
        countries=frozenset(references(found.countries, "Country")),
        regions=frozenset(references(found.regions, "Region")),
        themes=frozenset(references(found.themes, "Theme")),
        target_groups=frozenset(references(found.target_groups, "TargetGroup")),
        networks=frozenset(references(found.networks, "Network")),
        year_from=found.year_from,
        year_to=found.year_to,
        other_pes_only=found.other_pes_only,
    )


def _offset(after: str | None) -> int:
    return 0 if after is None else decode_cursor(after, "after") + 1


def _check_first(first: int) -> int:
    if not 0 <= first <= MAX_RECOMMENDATIONS:
        raise PaginationError(
            "first", f"give a number from 0 to {MAX_RECOMMENDATIONS}; got {first}"
        )
    return first


def _parts(item: explain.Recommendation) -> tuple[list[Contribution], list[Reason]]:
    contributions = [
        Contribution(signal=c.signal, method=c.method, value=c.value) for c in item.contributions
    ]
    reasons = [
        Reason(
            signal=r.signal,
            text=r.text,
            nodes=[ReasonNode(iri=n.iri, label=n.label, kind=n.kind) for n in r.nodes],
        )
        for r in item.reasons
    ]
    return contributions, reasons


def _practices(ctx: Context, ranking: Ranking) -> RecommendedPracticeConnection:
    out: list[RecommendedPractice] = []
    practices = ctx.read_model.practices
    for item in ranking.items:
        record = practices.get(item.iri)
        if record is None:  # deleted since the index read it
            continue
        contributions, reasons = _parts(item)
        practice: Any = wrap("Practice", ctx, record)
        out.append(
            RecommendedPractice(
                rank=item.rank,
                score=item.score,
                practice=practice,
                contributions=contributions,
                reasons=reasons,
                level=item.strength.value,
            )
        )
    return RecommendedPracticeConnection(
        total_count=ranking.total,
        items=out,
        start=ranking.offset,
        empty_reason=ranking.empty_reason,
    )


def _viewer_pes(ctx: Context) -> str | None:
    """The PES of the request's member token, if it has one."""
    principal = getattr(ctx, "principal", None)
    token = principal.token if isinstance(principal, Principal) else None
    return token.pes if token is not None else None


def _rank(ctx: Context, request: RankRequest) -> Ranking:
    """Rank with members' feedback (:mod:`graphsvc.recommend.feedback`): what the viewer's PES
    dismissed is left out, useful marks are boosted and their reason added."""
    feedback, viewer = ctx.services.feedback, _viewer_pes(ctx)
    ranking = ctx.services.recommendations.rank(feedback.for_viewer(request, viewer))
    return feedback.explain_ranking(ranking, viewer, request.lang)


def ranked_practices(
    ctx: Context,
    kind: RankKind,
    subject: str,
    first: int = 10,
    after: str | None = None,
    strategy: RecommendationStrategy = RecommendationStrategy.HYBRID,
    diversify: bool = True,
    filter: RecommendationFilter | None = None,
    lang: str = "en",
) -> RecommendedPracticeConnection:
    """A page of practices related to a practice (``RELATED``) or for a PES (``FOR_PES``)."""
    request = RankRequest(
        kind,
        subject,
        filters=_filters(filter),
        diversify=diversify,
        strategy=strategy.value,
        first=_check_first(first),
        offset=_offset(after),
        lang=lang,
    )
    return _practices(ctx, _rank(ctx, request))


def peers_of(
    ctx: Context,
    pes: str,
    first: int = 10,
    after: str | None = None,
    filter: RecommendationFilter | None = None,
    lang: str = "en",
) -> PeerPesConnection:
    request = RankRequest(
        RankKind.PEERS,
        pes,
        filters=_filters(filter),
        first=_check_first(first),
        offset=_offset(after),
        lang=lang,
    )
    ranking = _rank(ctx, request)
    out: list[PeerPes] = []
    for item in ranking.items:
        record = ctx.read_model.pes.get(item.iri)
        if record is None:
            continue
        contributions, reasons = _parts(item)
        found: Any = wrap("Pes", ctx, record)
        out.append(
            PeerPes(
                rank=item.rank,
                score=item.score,
                pes=found,
                contributions=contributions,
                reasons=reasons,
                strength=RecommendationStrength(item.strength.value),
            )
        )
    return PeerPesConnection(
        total_count=ranking.total,
        items=out,
        start=ranking.offset,
        empty_reason=ranking.empty_reason,
    )


def cluster_of(ctx: Context, practice: str) -> Cluster | None:
    """The community of a practice, or ``None``."""
    index = ctx.services.recommendations
    number = index.cluster_of(practice)
    if number is None:
        return None
    found = next((c for c in index.clusters() if c.number == number), None)
    return Cluster(number=found.number, size=found.size, record=found, ctx=ctx) if found else None


def explanation_path(ctx: Context, source: str, target: str, lang: str) -> list[ReasonNode]:
    """The cheapest path between two practices through nodes other than practices."""
    nodes = ctx.services.recommendations.path(source, reference(target, "Practice"), lang)
    return [ReasonNode(iri=n.iri, label=n.label, kind=n.kind) for n in nodes]


@strawberry.type
class RecommendationQuery:
    @strawberry.field(
        description="Practices for a member who has no practice in the graph yet, from the themes "
        "(a theme includes its narrower themes, and matches broader ones at a decayed weight), "
        "country and target groups they work on. References accept a global ID, an IRI or a "
        "slug (youth-guarantee; SWE for a country)."
    )
    def recommend(
        self,
        info: strawberry.Info[Context, None],
        themes: list[strawberry.ID] | None = None,
        country: strawberry.ID | None = None,
        target_groups: list[strawberry.ID] | None = None,
        first: Annotated[int, strawberry.argument(description=FIRST_DESCRIPTION)] = 10,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        strategy: RecommendationStrategy = RecommendationStrategy.HYBRID,
        diversify: Annotated[bool, strawberry.argument(description=DIVERSIFY_DESCRIPTION)] = True,
        filter: RecommendationFilter | None = None,
        lang: Annotated[str, strawberry.argument(description=LANG_DESCRIPTION)] = "en",
    ) -> RecommendedPracticeConnection:
        ctx = info.context
        request = RankRequest(
            RankKind.PROFILE,
            themes=references(themes, "Theme"),
            country=reference(str(country), "Country") if country else None,
            target_groups=references(target_groups, "TargetGroup"),
            filters=_filters(filter),
            diversify=diversify,
            strategy=strategy.value,
            first=_check_first(first),
            offset=_offset(after),
            lang=lang,
        )
        return _practices(ctx, _rank(ctx, request))

    @strawberry.field(
        description="Communities of practices (Louvain on the graph), each labelled by its top "
        "themes, largest first."
    )
    def clusters(self, info: strawberry.Info[Context, None]) -> list[Cluster]:
        ctx = info.context
        found = ctx.services.recommendations.clusters()
        return [
            Cluster(number=c.number, size=c.size, record=c, ctx=ctx)
            for c in sorted(found, key=lambda c: (-c.size, c.number))
        ]
