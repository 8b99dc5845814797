"""The four recommendation queries over one :class:`~graphsvc.recommend.state.IndexState`.

:func:`related` (practices related to a practice), :func:`recommended_practices` (practices of
other PES on a PES's themes), :func:`recommend` (for a member with no practice yet, from themes,
a country and target groups) and :func:`peers` (PES with similar portfolios).

Strategies (:class:`Strategy`): ``pagerank`` ranks by PPR from the practice (or seed set);
``similarity`` by weighted Adamic–Adar over shared features; ``hybrid`` (the default) by
``HYBRID_WEIGHTS["pagerank"] * ppr / max(ppr) + HYBRID_WEIGHTS["similarity"] * similarity``, both
terms in [0, 1]. Every :class:`~graphsvc.recommend.explain.Recommendation` carries contributions
that sum to its score, and reasons naming the shared nodes.

Complexity of a query: PPR push volume (bounded by ``1 / (epsilon * alpha)``) plus the posting
lengths of the profile's features, plus O(nodes) numpy work for dense vectors and top-k; no Python
loop over practices. Example::

    >>> [r.label for r in related(state, HYBRID_WEIGHTS, practice_iri, 3)]  # doctest: +SKIP
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from graphsvc.errors import InputError
from graphsvc.recommend.adjacency import FloatArray
from graphsvc.recommend.explain import (
    Contribution,
    Reason,
    Recommendation,
    path_reason,
    shared_reason,
)
from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.peers import rank_peers
from graphsvc.recommend.ppr import COARSE_EPSILON, EPSILON, personalized_pagerank
from graphsvc.recommend.projection import EdgeKind, NodeKind
from graphsvc.recommend.state import EDGE_CODE, EDGE_KINDS, IndexState, top_scores

__all__ = [
    "HYBRID_WEIGHTS",
    "Strategy",
    "peers",
    "recommend",
    "recommended_practices",
    "related",
]


class Strategy(enum.StrEnum):
    HYBRID = "hybrid"
    PAGERANK = "pagerank"
    SIMILARITY = "similarity"


HYBRID_WEIGHTS: dict[str, float] = {"pagerank": 0.3, "similarity": 0.7}
"""Weights of the two normalised scores in the hybrid (tuned on a development seed)."""

_PRACTICE_SIGNAL = {
    EDGE_CODE[EdgeKind.THEME]: Signal.THEME.value,
    EDGE_CODE[EdgeKind.EVENT]: Signal.EVENT.value,
    EDGE_CODE[EdgeKind.TARGET_GROUP]: Signal.TARGET_GROUP.value,
    EDGE_CODE[EdgeKind.PES]: Signal.PES.value,
    EDGE_CODE[EdgeKind.COUNTRY]: Signal.COUNTRY.value,
}


def related(
    state: IndexState,
    hybrid_weights: Mapping[str, float],
    iri: str,
    first: int = 10,
    strategy: Strategy | str = Strategy.HYBRID,
    *,
    explain: bool = True,
) -> list[Recommendation]:
    """The ``first`` practices most related to practice ``iri``.

    With ``explain=False`` the items carry only IRI, rank and score (for evaluation runs).
    """
    node = state.node_id(iri, NodeKind.PRACTICE, "practice")
    profile = state.features.profile(node)
    return _rank(state, hybrid_weights, profile, {node: 1.0}, [node], strategy, first, explain)


def recommended_practices(
    state: IndexState,
    hybrid_weights: Mapping[str, float],
    pes: str,
    first: int = 10,
    strategy: Strategy | str = Strategy.HYBRID,
) -> list[Recommendation]:
    """Practices of other PES on the themes PES ``pes`` works on, which it does not have."""
    node = state.node_id(pes, NodeKind.PES, "PES")
    own = state.practices_of(node)
    profile: Counter[Feature] = Counter()
    for practice in own:
        profile.update(f for f in state.features.features(practice) if f[0] is not Signal.PES)
    if not own:
        places = state.places
        profile.update(places.features_of(places.pes_country.get(pes)))
    scale = 1.0 / max(1, len(own))
    weights = {f: m * scale for f, m in profile.items()}
    seeds = dict.fromkeys(own, 1.0) if own else {node: 1.0}
    return _rank(state, hybrid_weights, weights, seeds, own, strategy, first)


def recommend(
    state: IndexState,
    hybrid_weights: Mapping[str, float],
    themes: Sequence[str] = (),
    country: str | None = None,
    target_groups: Sequence[str] = (),
    first: int = 10,
    strategy: Strategy | str = Strategy.HYBRID,
) -> list[Recommendation]:
    """Practices for a member with no practice in the graph yet, from what they work on."""
    if not themes and not country and not target_groups:
        raise InputError("give at least one theme, a country or a target group")
    profile: dict[Feature, float] = {}
    seeds: dict[int, float] = {}
    for theme in themes:
        seeds[state.node_id(theme, NodeKind.THEME, "theme")] = 1.0
        profile[(Signal.THEME, theme)] = 1.0
        profile[(Signal.BROADER_THEME, theme)] = 1.0  # practices on narrower themes
        for broader in state.ancestors.get(theme, frozenset()):
            profile.setdefault((Signal.BROADER_THEME, broader), 1.0)
    for group in target_groups:
        seeds[state.node_id(group, NodeKind.TARGET_GROUP, "target group")] = 1.0
        profile[(Signal.TARGET_GROUP, group)] = 1.0
    if country:
        seeds[state.node_id(country, NodeKind.COUNTRY, "country")] = 1.0
        profile.update(dict.fromkeys(state.places.features_of(country), 1.0))
    return _rank(state, hybrid_weights, profile, seeds, [], strategy, first)


def peers(state: IndexState, pes: str, first: int = 10) -> list[Recommendation]:
    """PES with the most similar portfolios to PES ``pes``, with reasons (see
    :func:`graphsvc.recommend.peers.rank_peers`). O(PES x portfolio size)."""
    state.node_id(pes, NodeKind.PES, "PES")
    if first < 0:
        raise InputError("first must not be negative")
    return rank_peers(state, pes, first)


# -- ranking --------------------------------------------------------------------------------------


def _rank(
    state: IndexState,
    hybrid_weights: Mapping[str, float],
    profile: Mapping[Feature, float],
    seeds: Mapping[int, float],
    exclude: Sequence[int],
    strategy: Strategy | str,
    first: int,
    explain: bool = True,
) -> list[Recommendation]:
    try:
        strategy = Strategy(strategy)
    except ValueError:
        known = ", ".join(s.value for s in Strategy)
        raise InputError(f"unknown strategy {strategy!r}; use one of {known}") from None
    if first < 0:
        raise InputError("first must not be negative")
    size = state.adjacency.size
    state.grow()
    mask = state.alive[:size].copy()
    mask[list(exclude)] = False
    score: FloatArray | None = None
    sim: FloatArray | None = None
    ppr: FloatArray | None = None
    ppr_scale = 0.0
    w_sim = hybrid_weights["similarity"] if strategy is Strategy.HYBRID else 1.0
    w_ppr = hybrid_weights["pagerank"] if strategy is Strategy.HYBRID else 1.0
    excluded = np.array(sorted(set(exclude)), dtype=np.int64)
    if strategy is not Strategy.PAGERANK:
        total = state.features.profile_weight(profile)
        if total > 0:
            sim = state.features.accumulate(profile, size)
            sim *= 1.0 / total
            score = sim * w_sim
            score[excluded] = 0.0  # postings hold live practices only: the rest is 0
    if strategy is not Strategy.SIMILARITY:
        threshold = _thresholds(state, size).copy()
        seed_ids = np.array(sorted(seeds), dtype=np.int64)
        threshold[seed_ids] = EPSILON * state.adjacency.degree[seed_ids]
        ppr = personalized_pagerank(state.adjacency, seeds, threshold=threshold)
        walk = ppr * mask  # live practices only
        top = float(walk.max()) if size else 0.0
        if top > 0:
            ppr_scale = w_ppr / top
            walk *= ppr_scale
            score = walk if score is None else np.add(score, walk, out=score)
    if score is None:
        score = np.zeros(size, dtype=np.float64)
    chosen = top_scores(score, None, first, state.tie[:size])
    if not explain:
        return [
            Recommendation(state.iris[n], "", "practice", rank, float(score[n]), (), ())
            for rank, n in enumerate(chosen, start=1)
        ]
    walks = _arrivals(state, chosen, ppr, ppr_scale) if ppr is not None else {}
    matches = state.features.contributions_of(profile, chosen)
    return [
        _explain(
            state,
            node,
            rank,
            float(score[node]),
            matches[node],
            sim,
            w_sim,
            walks.get(node),
            ppr,
            seeds,
        )
        for rank, node in enumerate(chosen, start=1)
    ]


def _arrivals(
    state: IndexState, chosen: Sequence[int], ppr: FloatArray, scale: float
) -> dict[int, dict[str, float]]:
    """Per chosen node, its scaled PageRank split by the kind of edge the mass arrived
    through (see :func:`~graphsvc.recommend.ppr.arriving_mass`), for all nodes in one go."""
    if not chosen or scale <= 0:
        return {}
    nodes = np.array(chosen, dtype=np.int64)
    position, neighbour, weight, kind = state.adjacency.gather(nodes)
    degree = state.adjacency.degree[neighbour]
    mass = ppr[neighbour] * weight / np.where(degree > 0, degree, 1.0)
    kinds = len(EDGE_KINDS)
    sums = np.bincount(position * kinds + kind, weights=mass, minlength=len(nodes) * kinds)
    sums = sums.reshape(len(nodes), kinds)
    totals = sums.sum(axis=1)
    out: dict[int, dict[str, float]] = {}
    for i, node in enumerate(chosen):
        value = scale * float(ppr[node])
        if totals[i] <= 0 or value <= 0:
            continue
        parts: dict[str, float] = {}
        for code in np.flatnonzero(sums[i] > 0).tolist():
            name = _PRACTICE_SIGNAL.get(code, EDGE_KINDS[code].value)
            parts[name] = parts.get(name, 0.0) + value * float(sums[i, code]) / totals[i]
        out[node] = parts
    return out


def _thresholds(state: IndexState, size: int) -> FloatArray:
    """Push thresholds per node (coarse for practices), cached until the next change."""
    cached = state.threshold_cache
    if cached is None or cached[0] != state.changes or len(cached[1]) != size:
        degree = state.adjacency.degree[:size]
        practice = state.kind[:size] == NodeKind.PRACTICE
        values = np.where(practice, COARSE_EPSILON * degree, EPSILON * degree)
        cached = state.threshold_cache = (state.changes, values)
    return cached[1]


# -- explanations ---------------------------------------------------------------------------------


def _explain(
    state: IndexState,
    node: int,
    rank: int,
    score: float,
    match: tuple[Mapping[Signal, float], Mapping[Signal, list[str]]],
    sim: FloatArray | None,
    w_sim: float,
    walk: Mapping[str, float] | None,
    ppr: FloatArray | None,
    seeds: Mapping[int, float],
) -> Recommendation:
    contributions: list[Contribution] = []
    shares, shared = match
    if sim is not None:
        for signal, share in shares.items():
            contributions.append(Contribution(signal.value, "similarity", w_sim * share))
    for name, value in sorted((walk or {}).items()):
        contributions.append(Contribution(name, "pagerank", value))
    contributions.sort(key=lambda c: (-c.value, c.signal, c.method))
    order = {c.signal: i for i, c in reversed(list(enumerate(contributions)))}
    reasons: list[Reason] = [
        shared_reason(signal, [state.ref_of(i) for i in iris])
        for signal, iris in sorted(
            shared.items(), key=lambda kv: (order.get(kv[0].value, len(order)), kv[0].value)
        )
    ]
    if not reasons and ppr is not None:
        path = _path(state, seeds, node)
        if path:
            reasons.append(path_reason([state.ref(n) for n in path]))
    ref = state.ref(node)
    return Recommendation(
        iri=ref.iri,
        label=ref.label,
        kind=ref.kind,
        rank=rank,
        score=score,
        contributions=tuple(contributions),
        reasons=tuple(reasons),
    )


def _path(
    state: IndexState, seeds: Mapping[int, float], target: int, max_context_hops: int = 3
) -> list[int]:
    """A shortest path seed -> ... -> target whose inner nodes are not practices.

    Breadth-first over the context graph (no practice inside the path), at most
    ``max_context_hops`` context edges; O(context nodes within that radius).
    """
    goal: dict[int, int] = {}
    target_cols, _, _ = state.adjacency.row(target)
    for v in sorted(int(c) for c in target_cols):
        goal[v] = target
    parent: dict[int, int | None] = {}
    frontier: list[int] = []
    for seed in sorted(seeds):
        if state.kind[seed] == NodeKind.PRACTICE:
            parent[seed] = None
            cols, _, _ = state.adjacency.row(seed)
            for u in sorted(int(c) for c in cols):
                if u not in parent:
                    parent[u] = seed
                    frontier.append(u)
        elif seed not in parent:
            parent[seed] = None
            frontier.append(seed)
    for hop in range(max_context_hops + 1):
        for u in frontier:
            if u in goal:
                path = [u]
                while (up := parent.get(path[-1])) is not None:
                    path.append(up)
                path.reverse()
                return [*path, target]
        if hop == max_context_hops:
            break
        nxt: list[int] = []
        for u in frontier:
            for v in sorted(state.context.get(u, ())):
                if v not in parent:
                    parent[v] = u
                    nxt.append(v)
        frontier = nxt
    return []
