"""Scoring, ordering and explaining the rankings of :mod:`graphsvc.recommend.ranking`.

**Profiles** (:mod:`graphsvc.recommend.profiles`). A query is a weighted set of features and a
seed set for the walk; each of its themes also matches the themes above and below it in the SKOS
hierarchy, with the weight :data:`~graphsvc.recommend.profiles.THEME_DECAY` to the power of the
number of ``skos:broader`` steps (a practice on "Youth employment" is related to one on its
narrower "Youth Guarantee", at half the weight of the same theme).

**Scores**, each term bounded in [0, 1], so a score means the same in every query:

- *similarity*: the weight of the features shared, over the weight of the query's own features
  (Adamic–Adar weights), capped at 1;
- *pagerank*: personalised PageRank from the seeds (:mod:`graphsvc.recommend.ppr`) over the
  PageRank a *twin* of the query would get (a practice with exactly the query's links; for a
  profile, one linked to each of its nodes), capped at 1;

  both multiplied by the *coverage* of the query: the weight of the signals it has over
  :data:`FULL_PROFILE` (at most 1). A profile of a country alone reaches a third of a full
  score: "same WAPES region" alone is a weak reason;
- *text*: the idf-weighted share of the query's key terms an item has
  (:mod:`graphsvc.recommend.text`).

``hybrid`` (the default) is ``HYBRID_WEIGHTS``-weighted sum of the three; ``similarity``,
``pagerank`` and ``text`` use one term. Items under :data:`MIN_SCORE` are not shown.

**Order.** By score; ties by the raw PageRank, the text score, the year (newer first), then the
title and the IRI, so a tie is never broken by a hash; then, by default, the first
:data:`DIVERSE_DEPTH` positions are re-ranked for diversity (:mod:`graphsvc.recommend.diversity`)
from the best :data:`POOL` candidates and the best as many of the PES that do not crowd them
(the query's own, and any with more than a twentieth of the pool), and later positions follow by
score. The pool does not
depend on the page asked for, and greedy re-ranking gives the same first ``n`` items whatever
the depth, so pages cut from the list fit together.

**Explanations.** Contributions sum to the score, one per signal and method. PageRank is split by
the edge its mass arrived through: labelled by that edge's kind (``theme``, ``event``, ``pes``,
``country``, ``target-group``) only when the node it came from is one the query links to (for a
profile: one of its nodes); mass that came through any other node is ``walk``. Reasons name the
shared nodes in the requested language, the shared key terms, or a weighted shortest path
(:mod:`graphsvc.recommend.paths`) when nothing is shared directly.

Complexity of a query: PPR push volume (bounded by ``1 / (epsilon * alpha)``) plus the posting
lengths of the profile's features and key terms, O(nodes) numpy work for the dense vectors and
the candidate set, and the diversified pool (about four times the depth); no Python loop over
practices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from graphsvc.errors import InputError
from graphsvc.recommend import diversity, paths, reasons
from graphsvc.recommend.adjacency import FloatArray, IntArray
from graphsvc.recommend.explain import (
    Contribution,
    Reason,
    Recommendation,
    path_reason,
    shared_reason,
    strength_of,
)
from graphsvc.recommend.features import Signal
from graphsvc.recommend.filters import check, practice_mask
from graphsvc.recommend.peers import MIN_PEER_SCORE, rank_peers
from graphsvc.recommend.ppr import ALPHA, COARSE_EPSILON, EPSILON, personalized_pagerank
from graphsvc.recommend.profiles import THEME_DECAY, Query, pes_query, profile_query, related_query
from graphsvc.recommend.projection import EDGE_WEIGHTS, EdgeKind, NodeKind
from graphsvc.recommend.requests import (
    HYBRID_WEIGHTS,
    MIN_SCORE,
    STRENGTH_BANDS,
    Ranking,
    RankKind,
    RankRequest,
    Strategy,
)
from graphsvc.recommend.state import EDGE_CODE, IndexState

__all__ = [
    "FULL_PROFILE",
    "HYBRID_WEIGHTS",
    "MIN_PEER_SCORE",
    "MIN_SCORE",
    "STRENGTH_BANDS",
    "THEME_DECAY",
    "Query",
    "Strategy",
    "run",
]


POOL = 200
"""Diversity re-ranks the best this many candidates (and every tie with the last), plus as many
of the PES that do not crowd them (see :func:`_pool`)."""

DIVERSE_DEPTH = 100
"""Positions re-ranked for diversity; later ones follow by score."""

FULL_PROFILE = 1.5
"""Signal weight of a query that counts in full (a theme, its broader theme and a place)."""

_SHARED_KIND = {
    EDGE_CODE[EdgeKind.THEME]: "theme",
    EDGE_CODE[EdgeKind.EVENT]: "event",
    EDGE_CODE[EdgeKind.TARGET_GROUP]: "target-group",
    EDGE_CODE[EdgeKind.PES]: "pes",
    EDGE_CODE[EdgeKind.COUNTRY]: "country",
}
_WALK = "walk"
_TWIN_WEIGHT = {
    NodeKind.THEME: EDGE_WEIGHTS[EdgeKind.THEME],
    NodeKind.EVENT: EDGE_WEIGHTS[EdgeKind.EVENT],
    NodeKind.TARGET_GROUP: EDGE_WEIGHTS[EdgeKind.TARGET_GROUP],
    NodeKind.PES: EDGE_WEIGHTS[EdgeKind.PES],
    NodeKind.COUNTRY: EDGE_WEIGHTS[EdgeKind.COUNTRY],
}


# -- scoring ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Scores:
    score: FloatArray
    sim: FloatArray | None
    sim_scale: float  # similarity = min(1, accumulated * sim_scale)
    text: FloatArray | None
    ppr: FloatArray | None
    walk_scale: float  # walk = min(coverage, ppr * walk_scale)
    coverage: float
    weights: dict[str, float]
    shared: frozenset[int] | None = None  # the nodes the query links to, once asked for


def _thresholds(state: IndexState, size: int) -> FloatArray:
    """Push thresholds per node (coarse for practices), cached until the next change."""
    cached = state.threshold_cache
    if cached is None or cached[0] != state.changes or len(cached[1]) != size:
        degree = state.adjacency.degree[:size]
        practice = state.kind[:size] == NodeKind.PRACTICE
        values = np.where(practice, COARSE_EPSILON * degree, EPSILON * degree)
        cached = state.threshold_cache = (state.changes, values)
    return cached[1]


def _twin(state: IndexState, ppr: FloatArray, seeds: Mapping[int, float]) -> float:
    """The PageRank a twin of the query would get (see the module docstring)."""
    total = sum(seeds.values())
    twin = 0.0
    degree = state.adjacency.degree
    for seed, w in sorted(seeds.items()):
        kind = NodeKind(int(state.kind[seed]))
        if kind == NodeKind.PRACTICE:
            cols, ws, _ = state.adjacency.row(seed)
            deg = degree[cols]
            mass = ppr[cols] * ws / np.where(deg > 0, deg, 1.0)
            twin += (w / total) * (1.0 - ALPHA) * float(mass.sum())
        elif degree[seed] > 0:
            twin += (1.0 - ALPHA) * float(ppr[seed]) * _TWIN_WEIGHT.get(kind, 0.25) / degree[seed]
    return twin


def _score(state: IndexState, query: Query, strategy: Strategy, size: int) -> _Scores:
    hybrid = strategy is Strategy.HYBRID
    weights = dict(HYBRID_WEIGHTS) if hybrid else {strategy.value: 1.0}
    score = np.zeros(size, dtype=np.float64)
    sim: FloatArray | None = None
    sim_scale = 0.0
    signals = {f[0] for f in query.base if state.features.weight(f) > 0}
    coverage = min(1.0, sum(state.features.weights[s] for s in signals) / FULL_PROFILE)
    if not signals and query.terms:
        coverage = 1.0  # nothing but text (a practice without links): its words are its profile
    if weights.get("similarity"):
        base = sum(
            m * state.features.weight(f) for f, m in query.profile.items() if f in query.base
        )
        if base > 0:
            sim = state.features.accumulate(query.profile, size)
            sim_scale = 1.0 / base
            sim *= sim_scale
            np.minimum(sim, 1.0, out=sim)
            sim *= coverage
            sim_scale *= coverage
            np.multiply(sim, weights["similarity"], out=score)
    text: FloatArray | None = None
    if weights.get("text") and query.terms:
        text = state.text.similar(query.terms, size)
        score += weights["text"] * text
    ppr: FloatArray | None = None
    walk_scale = 0.0
    if weights.get("pagerank"):
        threshold = _thresholds(state, size).copy()
        seed_ids = np.array(sorted(query.seeds), dtype=np.int64)
        threshold[seed_ids] = EPSILON * state.adjacency.degree[seed_ids]
        ppr = personalized_pagerank(state.adjacency, query.seeds, threshold=threshold)
        twin = _twin(state, ppr, query.seeds)
        if twin > 0:
            walk_scale = coverage / twin
            score += weights["pagerank"] * np.minimum(ppr * walk_scale, coverage)
    return _Scores(score, sim, sim_scale, text, ppr, walk_scale, coverage, weights)


# -- ordering -----------------------------------------------------------------------------------


def _sorted(state: IndexState, ids: IntArray, scores: _Scores, final: FloatArray) -> IntArray:
    """``ids`` best first: score, raw PageRank, text, year, then title and IRI."""
    zeros = np.zeros(len(ids))
    ppr = scores.ppr[ids] if scores.ppr is not None else zeros
    text = scores.text[ids] if scores.text is not None else zeros
    year = state.year[ids].astype(np.float64)
    score = final[ids]
    order = np.lexsort((state.title_rank[ids], -year, -text, -ppr, -score))
    return ids[order]


def _groups(state: IndexState, pool: IntArray, query: Query) -> tuple[list[IntArray], list[int]]:
    """Per pool item: its PES, country (node ids) and community (-1: none); the query's."""
    # the query counts as already shown for its PES only: its country and community are what
    # the member asked about, its PES is what the member knows
    seen = [-1, -1, -1]
    if query.own_pes is not None:
        seen[0] = state.ids.get(query.own_pes, -1)
    groups = [
        state.pes_of[pool].astype(np.int64),
        state.country_of[pool].astype(np.int64),
        state.community[pool].astype(np.int64),
    ]
    return groups, seen


def _best(
    state: IndexState, candidates: IntArray, scores: _Scores, final: FloatArray, k: int
) -> IntArray:
    """The ``k`` first candidates in ranking order (ties at the cut broken as :func:`_sorted`
    does), unordered. O(candidates) plus the sort of the tie at the cut."""
    if len(candidates) <= k:
        return candidates
    values = final[candidates]
    cut = float(-np.partition(-values, k - 1)[k - 1])
    above = candidates[values > cut]
    tied = candidates[values == cut]
    if len(above) + len(tied) > k:
        tied = _sorted(state, tied, scores, final)[: k - len(above)]
    kept: IntArray = np.concatenate([above, tied])
    return kept


def _top(
    state: IndexState, candidates: IntArray, scores: _Scores, final: FloatArray, k: int
) -> IntArray:
    """The ``k`` first candidates in ranking order."""
    return _sorted(state, _best(state, candidates, scores, final, k), scores, final)


def _pool(
    state: IndexState, candidates: IntArray, scores: _Scores, final: FloatArray, query: Query
) -> IntArray:
    """What diversity re-ranks: the :data:`POOL` first candidates, plus the :data:`POOL` first of
    the PES that do not crowd them (the query's own PES, and any with more than a twentieth of
    the pool), so that many near-twins of one PES never hide the others."""
    pool = _best(state, candidates, scores, final, POOL)
    if len(pool) == len(candidates):
        return pool
    codes, counts = np.unique(state.pes_of[pool], return_counts=True)
    crowded = [int(c) for c in codes[(counts > POOL // 20) & (codes >= 0)]]
    if query.own_pes is not None and query.own_pes in state.ids:
        crowded.append(state.ids[query.own_pes])
    if not crowded:
        return pool
    pes = state.pes_of[candidates]
    keep = np.ones(len(candidates), dtype=np.bool_)
    for code in set(crowded):
        keep &= pes != code
    both: IntArray = np.union1d(pool, _best(state, candidates[keep], scores, final, POOL))
    return both


def _order(
    state: IndexState,
    candidates: IntArray,
    scores: _Scores,
    final: FloatArray,
    query: Query,
    depth: int,
    diversify: bool,
) -> list[int]:
    """The first ``depth`` candidates in ranking order (diversified unless told otherwise)."""
    if not diversify:
        return [int(n) for n in _top(state, candidates, scores, final, depth)[:depth]]
    pool = _sorted(state, _pool(state, candidates, scores, final, query), scores, final)
    own = None
    if query.own_pes is not None and query.own_pes in state.ids:
        own = state.pes_of[pool] == state.ids[query.own_pes]
    groups, seen = _groups(state, pool, query)
    head = min(depth, DIVERSE_DEPTH)
    picks, _ = diversity.rerank(final[pool], groups, own, head, 0.0, seen)
    out = [int(pool[p]) for p in picks]
    if depth > len(out):  # after the diversified head: by score
        taken = set(out)
        for node in _top(state, candidates, scores, final, depth + len(out)).tolist():
            if len(out) == depth:
                break
            if node not in taken:
                out.append(int(node))
    return out


# -- the entry point ----------------------------------------------------------------------------


def run(state: IndexState, request: RankRequest) -> Ranking:
    """See :func:`graphsvc.recommend.ranking.rank` (which checks the page first)."""

    try:
        strategy = Strategy(request.strategy)
    except ValueError:
        known = ", ".join(s.value for s in Strategy)
        raise InputError(f"unknown strategy {request.strategy!r}; use one of {known}") from None
    try:
        kind = RankKind(request.kind)
    except ValueError:
        known = ", ".join(k.value for k in RankKind)
        raise InputError(f"unknown ranking {request.kind!r}; use one of {known}") from None
    check(state, request.filters)
    lang = reasons.language(request.lang)
    if kind is RankKind.PEERS:
        if request.subject is None:
            raise InputError("peers: give a PES")
        state.node_id(request.subject, NodeKind.PES, "PES")
        ranked = rank_peers(state, request.subject, request.filters, lang, request.min_score)
        ranked = [r for r in ranked if r.iri not in request.exclude]
        page = tuple(
            _renumber(r, request.offset + i + 1)
            for i, r in enumerate(ranked[request.offset : request.offset + request.first])
        )
        empty = None
        if not ranked:
            least = MIN_PEER_SCORE if request.min_score is None else request.min_score
            empty = reasons.phrase("empty-threshold", lang, x=f"{least:.2f}")
        return Ranking(page, request.offset, len(ranked), empty)
    if kind is RankKind.RELATED:
        if request.subject is None:
            raise InputError("related: give a practice")
        query = related_query(state, request.subject)
    elif kind is RankKind.FOR_PES:
        if request.subject is None:
            raise InputError("recommended practices: give a PES")
        query = pes_query(state, request.subject)
    else:
        query = profile_query(state, request.themes, request.country, request.target_groups)
    return _rank_practices(state, request, query, strategy, lang)


def _renumber(item: Recommendation, rank: int) -> Recommendation:
    if item.rank == rank:
        return item
    return Recommendation(
        item.iri,
        item.label,
        item.kind,
        rank,
        item.score,
        item.contributions,
        item.reasons,
        item.strength,
    )


def _rank_practices(
    state: IndexState, request: RankRequest, query: Query, strategy: Strategy, lang: str
) -> Ranking:

    state.grow()
    size = state.adjacency.size
    scores = _score(state, query, strategy, size)
    final = scores.score
    mask = state.alive[:size].copy()
    mask[list(query.exclude)] = False
    for iri in request.exclude:
        node = state.ids.get(iri)
        if node is not None and node < size:
            mask[node] = False
    filtered = practice_mask(state, request.filters, query.own_pes, size)
    if filtered is not None:
        mask &= filtered
    boosts: dict[int, float] = {}
    for iri, value in sorted(request.boosts.items()):
        node = state.ids.get(iri)
        if node is not None and node < size and mask[node] and final[node] > 0:
            boosts[node] = value
            final[node] += value
    least = MIN_SCORE if request.min_score is None else request.min_score
    any_pass = bool(mask.any())  # before the bar: whether anything passes the filters
    # scores outside the mask are never read: the candidates are the masked nodes over the bar
    np.logical_and(mask, final >= max(least, np.nextafter(0.0, 1.0)), out=mask)
    candidates = np.flatnonzero(mask)
    total = len(candidates)
    empty = None
    if total == 0:
        if not any_pass:
            empty = reasons.phrase("empty-filters", lang)
        elif not query.profile and not query.terms:
            empty = reasons.phrase("empty-profile", lang)
        else:
            empty = reasons.phrase("empty-threshold", lang, x=f"{least:.2f}")
        return Ranking((), request.offset, 0, empty)
    depth = min(request.offset + request.first, total)
    chosen = _order(state, candidates, scores, final, query, depth, request.diversify)
    page = chosen[request.offset : request.offset + request.first]
    items = tuple(
        _explain(state, query, scores, final, node, request.offset + i + 1, boosts, request, lang)
        if request.explain
        else Recommendation(
            state.iris[node],
            "",
            "practice",
            request.offset + i + 1,
            float(final[node]),
            (),
            (),
            strength_of(float(final[node]), STRENGTH_BANDS),
        )
        for i, node in enumerate(page)
    )
    return Ranking(items, request.offset, total, None)


# -- explanations -------------------------------------------------------------------------------


def _walk_parts(state: IndexState, query: Query, scores: _Scores, node: int) -> dict[str, float]:
    """The node's PageRank term split by the edge its mass arrived through (see the module
    docstring), scaled to its part of the score."""
    if scores.ppr is None or scores.walk_scale <= 0:
        return {}
    ppr = scores.ppr
    weight = scores.weights["pagerank"]
    value = weight * min(scores.coverage, float(ppr[node]) * scores.walk_scale)
    if value <= 0:
        return {}
    cols, ws, ks = state.adjacency.row(node)
    degree = state.adjacency.degree[cols]
    mass = ppr[cols] * ws / np.where(degree > 0, degree, 1.0)
    total = float(mass.sum())
    if total <= 0:
        return {}
    if scores.shared is None:
        scores.shared = _shared_nodes(state, query)
    shared = scores.shared
    parts: dict[str, float] = {}
    for v, m, k in zip(cols.tolist(), mass.tolist(), ks.tolist(), strict=True):
        if m <= 0:
            continue
        name = _SHARED_KIND.get(k, _WALK) if v in shared else _WALK
        parts[name] = parts.get(name, 0.0) + value * m / total
    return parts


def _walk_practices(state: IndexState, query: Query, scores: _Scores, node: int) -> list[int]:
    """The practices whose walk mass reached ``node`` most, through one shared node (at most 3):
    the item's neighbours' practice neighbours with the highest PageRank."""
    if scores.ppr is None:
        return []
    ppr = scores.ppr
    cols, _, _ = state.adjacency.row(node)
    position, neighbour, _, _ = state.adjacency.gather(cols)
    del position
    practice = (state.kind[neighbour] == NodeKind.PRACTICE) & (neighbour != node)
    practice &= ~np.isin(neighbour, np.array(query.exclude, dtype=np.int64))
    found = np.unique(neighbour[practice & (ppr[neighbour] > 0)])
    if not len(found):
        return []
    best = found[np.lexsort((found, -ppr[found]))][:3]
    return [int(n) for n in best]


def _shared_nodes(state: IndexState, query: Query) -> frozenset[int]:
    """The nodes the query links to (its practices' neighbours; a profile's own nodes)."""
    out: set[int] = set()
    for seed in query.seeds:
        if state.kind[seed] == NodeKind.PRACTICE:
            out.update(state.adjacency.row(seed)[0].tolist())
        else:
            out.add(seed)
    return frozenset(out)


def _explain(
    state: IndexState,
    query: Query,
    scores: _Scores,
    final: FloatArray,
    node: int,
    rank: int,
    boosts: Mapping[int, float],
    request: RankRequest,
    lang: str,
) -> Recommendation:
    contributions: list[Contribution] = []
    shared: dict[str, list[tuple[float, str]]] = {}
    if scores.sim is not None and scores.sim[node] > 0:
        raw: dict[str, float] = {}
        for feature in state.features.features(node):
            multiplier = query.profile.get(feature)
            if not multiplier:
                continue
            signal, iri = feature
            name = signal.value
            if signal is Signal.THEME and feature not in query.base:
                name = "related-theme"
            part = multiplier * state.features.weight(feature)
            raw[name] = raw.get(name, 0.0) + part
            shared.setdefault(name, []).append((-part, iri))
        total = sum(raw.values())
        value = scores.weights["similarity"] * float(scores.sim[node])
        for name, part in raw.items():
            contributions.append(Contribution(name, "similarity", value * part / total))
    terms: list[str] = []
    if scores.text is not None and scores.text[node] > 0:
        terms = state.text.shared(query.terms, node)
        value = scores.weights["text"] * float(scores.text[node])
        contributions.append(Contribution("text", "tfidf", value))
    for name, value in sorted(_walk_parts(state, query, scores, node).items()):
        contributions.append(Contribution(name, "pagerank", value))
    if node in boosts:
        contributions.append(Contribution("feedback", "feedback", boosts[node]))
    contributions.sort(key=lambda c: (-c.value, c.signal, c.method))
    order = {c.signal: i for i, c in reversed(list(enumerate(contributions)))}
    found: list[Reason] = []
    for name, nodes in sorted(shared.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])):
        refs = [state.ref_of(iri, lang) for _, iri in sorted(nodes)]
        found.append(shared_reason(name, refs, lang))
    if terms:
        found.append(Reason("text", reasons.text("text", lang, terms), ()))
    if node in boosts and request.boosted_by and state.has_node(request.boosted_by):
        by = state.ref_of(request.boosted_by, lang)
        found.append(shared_reason("feedback", [by], lang))
    if not shared and scores.ppr is not None:
        route = paths.path(state, query.seeds, node)
        if route:
            found.append(path_reason([state.ref(n, lang) for n in route], lang))
        else:
            via = _walk_practices(state, query, scores, node)
            if via:
                found.append(shared_reason(_WALK, [state.ref(n, lang) for n in via], lang))
    ref = state.ref(node, lang)
    score = float(final[node])
    return Recommendation(
        iri=ref.iri,
        label=ref.label,
        kind=ref.kind,
        rank=rank,
        score=score,
        contributions=tuple(contributions),
        reasons=tuple(found),
        strength=strength_of(score, STRENGTH_BANDS),
    )
