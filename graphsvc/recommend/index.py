"""The recommendation index: related practices, practices for a PES or a profile, peer PES.

Built once from a :class:`~graphsvc.recommend.source.GraphSource` (the read model), it holds

- the NetworkX projection (:mod:`graphsvc.recommend.projection`), kept current, for analysis and
  baselines; no request walks it;
- the same graph as arrays (:class:`~graphsvc.recommend.adjacency.Adjacency`), which personalised
  PageRank by forward push walks (:mod:`graphsvc.recommend.ppr`);
- the practices' features (:class:`~graphsvc.recommend.features.FeatureIndex`) for the
  neighbourhood similarity, and the PES portfolios (:mod:`graphsvc.recommend.peers`).

Strategies (:class:`Strategy`): ``pagerank`` ranks by PPR from the practice (or seed set);
``similarity`` by weighted Adamic–Adar over shared features; ``hybrid`` (the default) by
``HYBRID_WEIGHTS["pagerank"] * ppr / max(ppr) + HYBRID_WEIGHTS["similarity"] * similarity``, both
terms in [0, 1]. Every :class:`~graphsvc.recommend.explain.Recommendation` carries contributions
that sum to its score, and reasons naming the shared nodes.

Deterministic: the same data gives the same rankings; ties are broken by a fixed hash of the IRI
(CRC-32), so the order never depends on load or update order.

Freshness: :meth:`RecommendationIndex.update_practice` re-reads one practice from the source and
replaces its edges, features and portfolio counts, O(degree of its neighbours); a change to any
other node of the projection rebuilds the index (:meth:`RecommendationIndex.apply_change`).

Concurrency: writers (the change listener) hold ``index.lock``; readers take no lock. Updates
replace whole rows, arrays and cached entries rather than editing them in place, so a reader sees
each of them before or after a change, never half-written; a query that runs while a practice is
being updated may see the new edges of that practice with its old features.

Complexity of a query: PPR push volume (bounded by ``1 / (epsilon * alpha)``) plus the posting
lengths of the profile's features, plus O(nodes) numpy work for dense vectors and top-k; no Python
loop over practices. Build: O(nodes + edges). Example::

    >>> index = RecommendationIndex(read_model)                         # doctest: +SKIP
    >>> [r.label for r in index.related(practice_iri, first=3)]         # doctest: +SKIP
"""

from __future__ import annotations

import enum
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import numpy.typing as npt

from graphsvc.errors import InputError, NotFoundError
from graphsvc.model.records import Practice
from graphsvc.recommend.adjacency import Adjacency, FloatArray, IntArray
from graphsvc.recommend.explain import (
    Contribution,
    NodeRef,
    Reason,
    Recommendation,
    path_reason,
    shared_reason,
)
from graphsvc.recommend.features import SIGNAL_WEIGHTS, Feature, FeatureIndex, Signal
from graphsvc.recommend.peers import PeerIndex
from graphsvc.recommend.ppr import (
    COARSE_EPSILON,
    EPSILON,
    personalized_pagerank,
)
from graphsvc.recommend.projection import (
    EDGE_WEIGHTS,
    EdgeKind,
    NodeKind,
    build_projection,
    context_edges,
    kind_of,
    node_kinds,
    node_label,
    practice_country,
    practice_edges,
    practice_region,
    replace_practice,
)
from graphsvc.recommend.source import GraphSource

__all__ = [
    "HYBRID_WEIGHTS",
    "RecommendationIndex",
    "Strategy",
    "practice_features",
    "theme_ancestors",
]


class Strategy(enum.StrEnum):
    HYBRID = "hybrid"
    PAGERANK = "pagerank"
    SIMILARITY = "similarity"


HYBRID_WEIGHTS: dict[str, float] = {"pagerank": 0.3, "similarity": 0.7}
"""Weights of the two normalised scores in the hybrid (tuned on a development seed)."""

EDGE_KINDS: tuple[EdgeKind, ...] = tuple(EdgeKind)
_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_PRACTICE_SIGNAL = {
    _CODE[EdgeKind.THEME]: Signal.THEME.value,
    _CODE[EdgeKind.EVENT]: Signal.EVENT.value,
    _CODE[EdgeKind.TARGET_GROUP]: Signal.TARGET_GROUP.value,
    _CODE[EdgeKind.PES]: Signal.PES.value,
    _CODE[EdgeKind.COUNTRY]: Signal.COUNTRY.value,
}
BoolArray = npt.NDArray[np.bool_]
_KIND_NAMES = {int(k): k.name.lower() for k in NodeKind}
_COMPACT_AFTER = 2000  # replaced rows (and at least a tenth of the nodes) before compacting


def theme_ancestors(source: GraphSource) -> dict[str, frozenset[str]]:
    """Each theme's strict ancestors through ``skos:broader``. O(themes x depth)."""
    out: dict[str, frozenset[str]] = {}
    for theme in source.themes:
        seen: set[str] = set()
        todo = list(source.themes[theme].broader)
        while todo:
            b = todo.pop()
            if b in seen or b == theme or b not in source.themes:
                continue
            seen.add(b)
            todo.extend(source.themes[b].broader)
        out[theme] = frozenset(seen)
    return out


def practice_features(
    source: GraphSource, practice: Practice, ancestors: Mapping[str, frozenset[str]]
) -> list[Feature]:
    """The features of a practice (see :mod:`graphsvc.recommend.features`), to known nodes only."""
    themes = [t for t in practice.themes if t in source.themes]
    out: list[Feature] = [(Signal.THEME, t) for t in themes]
    broader = set().union(*(ancestors.get(t, frozenset()) for t in themes)) - set(themes)
    out += [(Signal.BROADER_THEME, t) for t in sorted(broader)]
    out += [(Signal.TARGET_GROUP, g) for g in practice.target_groups if g in source.target_groups]
    if practice.pes and practice.pes in source.pes:
        out.append((Signal.PES, practice.pes))
    country = practice_country(source, practice)
    if country and country in source.countries:
        out.append((Signal.COUNTRY, country))
    region = practice_region(source, practice)
    if region and region in source.regions:
        out.append((Signal.REGION, region))
    out += [(Signal.EVENT, e) for e in practice.events if e in source.events]
    return out


class RecommendationIndex:
    """Everything recommendations read; see the module docstring."""

    def __init__(
        self,
        source: GraphSource,
        *,
        hybrid_weights: Mapping[str, float] | None = None,
        signal_weights: Mapping[Signal, float] | None = None,
        with_graph: bool = True,
    ) -> None:
        self.source = source
        self.hybrid_weights = dict(hybrid_weights or HYBRID_WEIGHTS)
        self.signal_weights = dict(signal_weights or SIGNAL_WEIGHTS)
        self.with_graph = with_graph
        self.lock = threading.RLock()
        self.version = 0
        self.build_seconds = 0.0
        self.graph: nx.Graph[str] = nx.Graph()
        self._build()

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        started = time.perf_counter()
        source = self.source
        kinds = node_kinds(source)
        iris = sorted(kinds)
        self._iris: list[str] = iris
        self._ids: dict[str, int] = {iri: i for i, iri in enumerate(iris)}
        n = len(iris)
        self._kind = np.array([int(kinds[i]) for i in iris], dtype=np.int8)
        self._tie = np.array([zlib.crc32(i.encode()) for i in iris], dtype=np.int64)
        self._alive = self._kind == NodeKind.PRACTICE
        self._ancestors = theme_ancestors(source)
        self._refs: dict[int, NodeRef] = {}
        self._threshold_cache: tuple[int, FloatArray] | None = None
        ids = self._ids
        us: list[int] = []
        vs: list[int] = []
        ks: list[int] = []
        self._context: dict[int, set[int]] = {}
        for edge in context_edges(source):
            a, b = ids[edge.source], ids[edge.target]
            us.append(a)
            vs.append(b)
            ks.append(_CODE[edge.kind])
            self._context.setdefault(a, set()).add(b)
            self._context.setdefault(b, set()).add(a)
        self.features = FeatureIndex(n, self.signal_weights)
        self.peers_index = PeerIndex()
        for practice in source.practices.values():
            pid = ids[practice.iri]
            for edge in practice_edges(source, practice):
                us.append(pid)
                vs.append(ids[edge.target])
                ks.append(_CODE[edge.kind])
            features = practice_features(source, practice, self._ancestors)
            self.features.set_features(pid, features)
            if practice.pes and practice.pes in source.pes:
                self.peers_index.add(practice.pes, features)
        weights = np.array([EDGE_WEIGHTS[k] for k in EDGE_KINDS])[np.array(ks, dtype=np.int64)]
        self.adjacency = Adjacency.from_edges(n, us, vs, weights, ks)
        self.graph = build_projection(source) if self.with_graph else nx.Graph()
        self.version += 1
        self.build_seconds = time.perf_counter() - started

    def rebuild(self) -> None:
        """Build everything again from the source (after a change to a non-practice node)."""
        with self.lock:
            self._build()

    def _grow(self) -> None:
        extra = self.adjacency.size - len(self._kind)
        if extra > 0:
            grow = max(extra, 16)
            self._kind = np.concatenate([self._kind, np.full(grow, -1, dtype=np.int8)])
            self._tie = np.concatenate([self._tie, np.zeros(grow, dtype=np.int64)])
            self._alive = np.concatenate([self._alive, np.zeros(grow, dtype=np.bool_)])

    def _add_node(self, iri: str, kind: NodeKind) -> int:
        node = self.adjacency.add_node()
        self._grow()
        self._iris.append(iri)
        self._ids[iri] = node
        self._kind[node] = int(kind)
        self._tie[node] = zlib.crc32(iri.encode())
        return node

    # -- freshness --------------------------------------------------------------------------------

    def apply_change(self, subjects: Iterable[str]) -> None:
        """After a write that touched ``subjects``: update practices one by one; rebuild if a
        known non-practice node changed; ignore subjects the projection does not hold."""
        with self.lock:
            practices: list[str] = []
            for subject in dict.fromkeys(subjects):
                known = self._ids.get(subject)
                is_practice = subject in self.source.practices or (
                    known is not None and self._kind[known] == NodeKind.PRACTICE
                )
                if is_practice:
                    practices.append(subject)
                elif known is not None or kind_of(self.source, subject) is not None:
                    self._build()
                    return
            for iri in practices:
                self.update_practice(iri)

    def update_practice(self, iri: str) -> None:
        """Bring one practice up to date with the source, or remove it if the source lost it."""
        with self.lock:
            source = self.source
            practice = source.practices.get(iri)
            node = self._ids.get(iri)
            if node is not None and self._kind[node] == NodeKind.PRACTICE:
                old = self.features.features(node)
                old_pes = next((i for s, i in old if s is Signal.PES), None)
                if old_pes is not None:
                    self.peers_index.add(old_pes, old, sign=-1)
            if practice is None:
                if node is not None:
                    self.adjacency.set_row(node, {})
                    self.features.set_features(node, ())
                    self._alive[node] = False
            else:
                if node is None:
                    node = self._add_node(iri, NodeKind.PRACTICE)
                edges: dict[int, tuple[float, int]] = {}
                for edge in practice_edges(source, practice):
                    target = self._ids.get(edge.target)
                    if target is None:
                        target = self._add_context_node(edge.target)
                    if target is not None and target not in edges:
                        edges[target] = (EDGE_WEIGHTS[edge.kind], _CODE[edge.kind])
                self.adjacency.set_row(node, edges)
                features = practice_features(source, practice, self._ancestors)
                self.features.set_features(node, features)
                if practice.pes and practice.pes in source.pes:
                    self.peers_index.add(practice.pes, features)
                self._alive[node] = True
            if node is not None:
                self._refs.pop(node, None)
            if self.with_graph:
                replace_practice(self.graph, source, iri)
            if self.adjacency.replaced_rows > max(_COMPACT_AFTER, self.adjacency.size // 10):
                self.adjacency.compact()
            self.version += 1

    def _add_context_node(self, iri: str) -> int | None:
        """A node a practice is the first to mention (e.g. a new event), with its context edges."""
        kind = kind_of(self.source, iri)
        if kind is None:
            return None
        node = self._add_node(iri, kind)
        from graphsvc.recommend.projection import context_edges_of

        row: dict[int, tuple[float, int]] = {}
        for edge in context_edges_of(self.source, iri):
            other = edge.target if edge.source == iri else edge.source
            other_id = self._ids.get(other)
            if other_id is not None:
                row[other_id] = (EDGE_WEIGHTS[edge.kind], _CODE[edge.kind])
                self._context.setdefault(node, set()).add(other_id)
                self._context.setdefault(other_id, set()).add(node)
        self.adjacency.set_row(node, row)
        return node

    # -- lookups ----------------------------------------------------------------------------------

    def node_id(self, iri: str, kind: NodeKind, what: str) -> int:
        """The id of ``iri`` if it is a node of ``kind``, else :class:`NotFoundError`."""
        node = self._ids.get(iri)
        if (
            node is None
            or self._kind[node] != kind
            or (kind == NodeKind.PRACTICE and not self._alive[node])
        ):
            raise NotFoundError(f"{what} {iri}")
        return node

    def ref(self, node: int) -> NodeRef:
        """The node with its label (cached; a practice's entry is dropped when it changes)."""
        found = self._refs.get(node)
        if found is None:
            iri = self._iris[node]
            kind = _KIND_NAMES[int(self._kind[node])]
            found = self._refs[node] = NodeRef(iri, node_label(self.source, iri), kind)
        return found

    def iri_of(self, node: int) -> str:
        return self._iris[node]

    def alive_practices(self) -> BoolArray:
        """A fresh mask over node ids of the practices the index holds."""
        self._grow()
        mask: BoolArray = self._alive[: self.adjacency.size].copy()
        return mask

    def top(self, score: FloatArray, mask: BoolArray, k: int) -> list[int]:
        """The ids of the ``k`` best positive scores in ``mask``, ties broken by the IRI hash."""
        return _top(score, mask, k, self._tie[: self.adjacency.size])

    def ref_of(self, iri: str) -> NodeRef:
        return self.ref(self._ids[iri])

    def has_node(self, iri: str) -> bool:
        return iri in self._ids

    def practices_of(self, pes_node: int) -> list[int]:
        cols, _, kinds = self.adjacency.row(pes_node)
        hits = cols[(kinds == _CODE[EdgeKind.PES]) & self._alive[cols]]
        return sorted(int(h) for h in hits)

    # -- queries ----------------------------------------------------------------------------------

    def related(
        self,
        iri: str,
        first: int = 10,
        strategy: Strategy | str = Strategy.HYBRID,
        *,
        explain: bool = True,
    ) -> list[Recommendation]:
        """The ``first`` practices most related to practice ``iri``.

        With ``explain=False`` the items carry only IRI, rank and score (for evaluation runs).
        """
        node = self.node_id(iri, NodeKind.PRACTICE, "practice")
        profile = self.features.profile(node)
        return self._rank(profile, {node: 1.0}, [node], strategy, first, explain)

    def recommended_practices(
        self, pes: str, first: int = 10, strategy: Strategy | str = Strategy.HYBRID
    ) -> list[Recommendation]:
        """Practices of other PES on the themes PES ``pes`` works on, which it does not have."""
        node = self.node_id(pes, NodeKind.PES, "PES")
        own = self.practices_of(node)
        profile: Counter[Feature] = Counter()
        for practice in own:
            profile.update(f for f in self.features.features(practice) if f[0] is not Signal.PES)
        if not own:
            profile.update(self._place_features(self.source.pes[pes].country))
        scale = 1.0 / max(1, len(own))
        weights = {f: m * scale for f, m in profile.items()}
        seeds = dict.fromkeys(own, 1.0) if own else {node: 1.0}
        return self._rank(weights, seeds, own, strategy, first)

    def recommend(
        self,
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
            seeds[self.node_id(theme, NodeKind.THEME, "theme")] = 1.0
            profile[(Signal.THEME, theme)] = 1.0
            profile[(Signal.BROADER_THEME, theme)] = 1.0  # practices on narrower themes
            for broader in self._ancestors.get(theme, frozenset()):
                profile.setdefault((Signal.BROADER_THEME, broader), 1.0)
        for group in target_groups:
            seeds[self.node_id(group, NodeKind.TARGET_GROUP, "target group")] = 1.0
            profile[(Signal.TARGET_GROUP, group)] = 1.0
        if country:
            seeds[self.node_id(country, NodeKind.COUNTRY, "country")] = 1.0
            profile.update(dict.fromkeys(self._place_features(country), 1.0))
        return self._rank(profile, seeds, [], strategy, first)

    def _place_features(self, country: str | None) -> list[Feature]:
        if not country or country not in self.source.countries:
            return []
        out: list[Feature] = [(Signal.COUNTRY, country)]
        region = self.source.countries[country].region
        if region and region in self.source.regions:
            out.append((Signal.REGION, region))
        return out

    def peers(self, pes: str, first: int = 10) -> list[Recommendation]:
        """PES with the most similar portfolios to PES ``pes``, with reasons (see
        :func:`graphsvc.recommend.peers.rank_peers`). O(PES x portfolio size)."""
        from graphsvc.recommend.peers import rank_peers

        self.node_id(pes, NodeKind.PES, "PES")
        if first < 0:
            raise InputError("first must not be negative")
        return rank_peers(self, pes, first)

    # -- ranking ----------------------------------------------------------------------------------

    def _rank(
        self,
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
        size = self.adjacency.size
        self._grow()
        mask = self._alive[:size].copy()
        mask[list(exclude)] = False
        score: FloatArray | None = None
        sim: FloatArray | None = None
        ppr: FloatArray | None = None
        ppr_scale = 0.0
        w_sim = self.hybrid_weights["similarity"] if strategy is Strategy.HYBRID else 1.0
        w_ppr = self.hybrid_weights["pagerank"] if strategy is Strategy.HYBRID else 1.0
        excluded = np.array(sorted(set(exclude)), dtype=np.int64)
        if strategy is not Strategy.PAGERANK:
            total = self.features.profile_weight(profile)
            if total > 0:
                sim = self.features.accumulate(profile, size)
                sim *= 1.0 / total
                score = sim * w_sim
                score[excluded] = 0.0  # postings hold live practices only: the rest is 0
        if strategy is not Strategy.SIMILARITY:
            threshold = self._thresholds(size).copy()
            seed_ids = np.array(sorted(seeds), dtype=np.int64)
            threshold[seed_ids] = EPSILON * self.adjacency.degree[seed_ids]
            ppr = personalized_pagerank(self.adjacency, seeds, threshold=threshold)
            walk = ppr * mask  # live practices only
            top = float(walk.max()) if size else 0.0
            if top > 0:
                ppr_scale = w_ppr / top
                walk *= ppr_scale
                score = walk if score is None else np.add(score, walk, out=score)
        if score is None:
            score = np.zeros(size, dtype=np.float64)
        chosen = _top(score, None, first, self._tie[:size])
        if not explain:
            return [
                Recommendation(self._iris[n], "", "practice", rank, float(score[n]), (), ())
                for rank, n in enumerate(chosen, start=1)
            ]
        walks = self._arrivals(chosen, ppr, ppr_scale) if ppr is not None else {}
        matches = self.features.contributions_of(profile, chosen)
        return [
            self._explain(
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
        self, chosen: Sequence[int], ppr: FloatArray, scale: float
    ) -> dict[int, dict[str, float]]:
        """Per chosen node, its scaled PageRank split by the kind of edge the mass arrived
        through (see :func:`~graphsvc.recommend.ppr.arriving_mass`), for all nodes in one go."""
        if not chosen or scale <= 0:
            return {}
        nodes = np.array(chosen, dtype=np.int64)
        position, neighbour, weight, kind = self.adjacency.gather(nodes)
        degree = self.adjacency.degree[neighbour]
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

    def _thresholds(self, size: int) -> FloatArray:
        """Push thresholds per node (coarse for practices), cached until the next change."""
        cached = self._threshold_cache
        if cached is None or cached[0] != self.version or len(cached[1]) != size:
            degree = self.adjacency.degree[:size]
            practice = self._kind[:size] == NodeKind.PRACTICE
            values = np.where(practice, COARSE_EPSILON * degree, EPSILON * degree)
            cached = self._threshold_cache = (self.version, values)
        return cached[1]

    def _explain(
        self,
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
            shared_reason(signal, [self.ref(self._ids[i]) for i in iris])
            for signal, iris in sorted(
                shared.items(), key=lambda kv: (order.get(kv[0].value, len(order)), kv[0].value)
            )
        ]
        if not reasons and ppr is not None:
            path = self._path(seeds, node)
            if path:
                reasons.append(path_reason([self.ref(n) for n in path]))
        ref = self.ref(node)
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
        self, seeds: Mapping[int, float], target: int, max_context_hops: int = 3
    ) -> list[int]:
        """A shortest path seed -> ... -> target whose inner nodes are not practices.

        Breadth-first over the context graph (no practice inside the path), at most
        ``max_context_hops`` context edges; O(context nodes within that radius).
        """
        goal: dict[int, int] = {}
        target_cols, _, _ = self.adjacency.row(target)
        for v in sorted(int(c) for c in target_cols):
            goal[v] = target
        parent: dict[int, int | None] = {}
        frontier: list[int] = []
        for seed in sorted(seeds):
            if self._kind[seed] == NodeKind.PRACTICE:
                parent[seed] = None
                cols, _, _ = self.adjacency.row(seed)
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
                for v in sorted(self._context.get(u, ())):
                    if v not in parent:
                        parent[v] = u
                        nxt.append(v)
            frontier = nxt
        return []


def _top(score: FloatArray, mask: BoolArray | None, k: int, tie: IntArray) -> list[int]:
    """The ids of the ``k`` best positive scores among ``mask`` (``None``: ``score`` is already
    zero outside the candidates), ties broken by ``tie``.

    Finds a score threshold that at least ``k`` candidates reach by halving from the maximum
    (each try one comparison over the array), then sorts only those: O(nodes x tries + c log c)
    for ``c`` candidates, instead of a partition of every positive score.
    """
    if k == 0:
        return []
    masked = score if mask is None else np.where(mask, score, 0.0)
    best = float(masked.max()) if len(masked) else 0.0
    if best <= 0:
        return []
    threshold = best
    while True:
        candidates = np.flatnonzero(masked >= threshold)
        if len(candidates) >= k or threshold < best * 1e-12:
            break
        threshold *= 0.25
    if len(candidates) < k:
        candidates = np.flatnonzero(masked > 0)
    values = masked[candidates]
    if len(candidates) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((tie[candidates], -values))[:k]
    return [int(c) for c in candidates[order]]
