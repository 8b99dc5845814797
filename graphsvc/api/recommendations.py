"""GraphQL recommendations: ranked items that say why they are recommended.

Fields (wired into the object types and the root query with one line each):

- ``Practice.related(first, strategy)``: practices related to this one;
- ``Pes.recommendedPractices(first)``: practices of other PES on the themes this PES works on, which
  it does not have yet;
- ``Pes.peers(first)``: PES with similar portfolios, for benchlearning;
- ``recommend(themes, country, targetGroups, first)``: for a member with no practice in the graph.

Each item carries ``rank``, ``score``, ``contributions`` (signal, method, value; they sum to the
score) and ``reasons`` (a sentence and the nodes it names). Resolvers only read the
recommendation index (:mod:`graphsvc.recommend.index`), which the service keeps current after
every write; ``docs/recommendations.md`` describes the algorithms and weights.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphsvc.api.context import Context
from graphsvc.api.types.base import reference, references, wrap
from graphsvc.errors import InputError
from graphsvc.recommend import explain

if TYPE_CHECKING:
    from graphsvc.api.types.organisations import Pes
    from graphsvc.api.types.practices import Practice

__all__ = [
    "MAX_RECOMMENDATIONS",
    "Contribution",
    "PeerPes",
    "Reason",
    "ReasonNode",
    "RecommendationQuery",
    "RecommendationStrategy",
    "RecommendedPractice",
    "peers_of",
    "practices_for_pes",
    "related_practices",
]

TYPES = "graphsvc.api.types"
PracticeT = Annotated["Practice", strawberry.lazy(TYPES)]
PesT = Annotated["Pes", strawberry.lazy(TYPES)]

MAX_RECOMMENDATIONS = 50
FIRST_DESCRIPTION = f"How many items (default 10, at most {MAX_RECOMMENDATIONS})."


@strawberry.enum(description="How related practices are ranked.")
class RecommendationStrategy(enum.Enum):
    HYBRID = "hybrid"
    PAGERANK = "pagerank"
    SIMILARITY = "similarity"


RecommendationStrategy.HYBRID.__doc__ = (
    "0.3 x personalised PageRank (max-normalised) + 0.7 x similarity (the default)."
)
RecommendationStrategy.PAGERANK.__doc__ = "Personalised PageRank from the practice."
RecommendationStrategy.SIMILARITY.__doc__ = (
    "Weighted Adamic-Adar over shared themes, target groups, PES, country, region and events."
)


@strawberry.type(description="The part of a score that one signal gave through one method.")
class Contribution:
    signal: str = strawberry.field(
        description="theme, broader-theme, target-group, pes, country, region, event or network."
    )
    method: str = strawberry.field(description="similarity or pagerank.")
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
    score: float = strawberry.field(description="Higher is more related; in [0, 1].")
    practice: PracticeT
    contributions: list[Contribution]
    reasons: list[Reason]


@strawberry.type(description="A peer PES with a similar portfolio, with its score and reasons.")
class PeerPes:
    rank: int
    score: float = strawberry.field(description="Higher is more similar; in [0, 1].")
    pes: PesT
    contributions: list[Contribution]
    reasons: list[Reason]


def _first(first: int) -> int:
    if not 0 <= first <= MAX_RECOMMENDATIONS:
        raise InputError(f"first: give a number from 0 to {MAX_RECOMMENDATIONS}; got {first}")
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


def _practices(ctx: Context, items: list[explain.Recommendation]) -> list[RecommendedPractice]:
    out: list[RecommendedPractice] = []
    practices = ctx.read_model.practices
    for item in items:
        record = practices.get(item.iri)
        if record is None:
            continue
        contributions, reasons = _parts(item)
        practice: Any = wrap("Practice", ctx, record)
        out.append(
            RecommendedPractice(
                rank=len(out) + 1,
                score=item.score,
                practice=practice,
                contributions=contributions,
                reasons=reasons,
            )
        )
    return out


def related_practices(
    ctx: Context, iri: str, first: int, strategy: RecommendationStrategy
) -> list[RecommendedPractice]:
    index = ctx.services.recommendations
    return _practices(ctx, index.related(iri, _first(first), strategy.value))


def practices_for_pes(ctx: Context, pes: str, first: int) -> list[RecommendedPractice]:
    index = ctx.services.recommendations
    return _practices(ctx, index.recommended_practices(pes, _first(first)))


def peers_of(ctx: Context, pes: str, first: int) -> list[PeerPes]:
    index = ctx.services.recommendations
    out: list[PeerPes] = []
    for item in index.peers(pes, _first(first)):
        record = ctx.read_model.pes.get(item.iri)
        if record is None:
            continue
        contributions, reasons = _parts(item)
        found: Any = wrap("Pes", ctx, record)
        out.append(
            PeerPes(
                rank=len(out) + 1,
                score=item.score,
                pes=found,
                contributions=contributions,
                reasons=reasons,
            )
        )
    return out


@strawberry.type
class RecommendationQuery:
    @strawberry.field(
        description="Practices for a member who has no practice in the graph yet, from the themes "
        "(a theme includes its narrower themes), country and target groups they work on. "
        "References accept a global ID, an IRI or a slug (youth-guarantee; SWE for a country)."
    )
    def recommend(
        self,
        info: strawberry.Info[Context, None],
        themes: list[strawberry.ID] | None = None,
        country: strawberry.ID | None = None,
        target_groups: list[strawberry.ID] | None = None,
        first: Annotated[int, strawberry.argument(description=FIRST_DESCRIPTION)] = 10,
        strategy: RecommendationStrategy = RecommendationStrategy.HYBRID,
    ) -> list[RecommendedPractice]:
        ctx = info.context
        index = ctx.services.recommendations
        items = index.recommend(
            themes=references(themes, "Theme"),
            country=reference(str(country), "Country") if country else None,
            target_groups=references(target_groups, "TargetGroup"),
            first=_first(first),
            strategy=strategy.value,
        )
        return _practices(ctx, items)
