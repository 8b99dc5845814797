"""The vocabulary of a ranking request and its answer, shared by the scorers
(:mod:`graphsvc.recommend.queries`) and the entry point (:mod:`graphsvc.recommend.ranking`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from graphsvc.recommend.explain import Recommendation
from graphsvc.recommend.filters import Filters

__all__ = [
    "HYBRID_WEIGHTS",
    "MAX_DEPTH",
    "MAX_FIRST",
    "MIN_SCORE",
    "STRENGTH_BANDS",
    "RankKind",
    "RankRequest",
    "Ranking",
    "Strategy",
]


class Strategy(enum.StrEnum):
    HYBRID = "hybrid"
    PAGERANK = "pagerank"
    SIMILARITY = "similarity"
    TEXT = "text"


HYBRID_WEIGHTS: dict[str, float] = {"similarity": 0.6, "pagerank": 0.25, "text": 0.15}
"""Weights of the three bounded scores in the hybrid; they sum to 1."""

MIN_SCORE = 0.1
"""Practices scoring less are not shown: an empty list with a reason beats filler."""

STRENGTH_BANDS: tuple[float, float] = (0.45, 0.25)
"""``strong`` from the first, ``moderate`` from the second, else ``weak``."""


MAX_FIRST = 100
"""The largest page."""

MAX_DEPTH = 1000
"""A ranking holds at most this many items (``offset + first`` may not go beyond)."""


class RankKind(enum.StrEnum):
    RELATED = "related"  # subject: a practice
    FOR_PES = "for-pes"  # subject: a PES; practices of other PES on its themes
    PROFILE = "profile"  # themes, country, target groups; no subject
    PEERS = "peers"  # subject: a PES; PES with similar portfolios


@dataclass(frozen=True, slots=True)
class RankRequest:
    """What to rank and how; see the module docstring. IRIs throughout."""

    kind: RankKind
    subject: str | None = None
    themes: tuple[str, ...] = ()
    country: str | None = None
    target_groups: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    diversify: bool = True
    strategy: Strategy | str = Strategy.HYBRID
    first: int = 10
    offset: int = 0
    lang: str = "en"
    explain: bool = True
    exclude: frozenset[str] = frozenset()  # items never shown (e.g. dismissed by the viewer)
    boosts: Mapping[str, float] = field(default_factory=dict)  # item -> added score (feedback)
    boosted_by: str | None = None  # who marked the boosted items (named in their reason)
    min_score: float | None = None  # None: MIN_SCORE (MIN_PEER_SCORE for peers); 0 shows all


@dataclass(frozen=True, slots=True)
class Ranking:
    """One page of a ranking: ``items`` from position ``offset`` (0-based) of ``total`` items;
    ``empty_reason`` says why the ranking is empty (``None`` when it is not)."""

    items: tuple[Recommendation, ...]
    offset: int
    total: int
    empty_reason: str | None = None
