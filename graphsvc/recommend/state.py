"""One generation of the recommendation index: what a build produces and updates edit.

An :class:`IndexState` holds the node ids and their kinds, the tie-break hashes, the array graph
(:class:`~graphsvc.recommend.adjacency.Adjacency`), the practices' features, the PES portfolios,
where each PES is and what it belongs to (:class:`~graphsvc.recommend.places.Places`), the text
postings (:class:`~graphsvc.recommend.text.TextIndex`), each node's community
(:mod:`graphsvc.recommend.communities`) and the NetworkX graph of the nodes other than practices
that explanation paths are found on (:mod:`graphsvc.recommend.paths`), plus the lookups every
query needs. It is built by
:func:`graphsvc.recommend.build.build_state`, edited practice by practice by
:mod:`graphsvc.recommend.incremental` and read by :mod:`graphsvc.recommend.queries`;
:class:`~graphsvc.recommend.index.RecommendationIndex` serves one state at a time and replaces it
as a whole after a rebuild, so a query that captured the state once reads one generation only.

Lookups are O(1) except :meth:`IndexState.practices_of` (O(degree)) and :meth:`IndexState.top`
(see :func:`top_scores`). Example::

    >>> state = build_state(read_model)                                  # doctest: +SKIP
    >>> state.ref_of(practice_iri).label                                 # doctest: +SKIP
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
import numpy.typing as npt

from graphsvc.errors import NotFoundError
from graphsvc.model.text import sort_key
from graphsvc.recommend.adjacency import Adjacency, FloatArray, IntArray
from graphsvc.recommend.explain import NodeRef
from graphsvc.recommend.features import Feature, FeatureIndex, Signal
from graphsvc.recommend.places import Places
from graphsvc.recommend.portfolios import PeerIndex
from graphsvc.recommend.projection import EdgeKind, NodeKind, node_label
from graphsvc.recommend.source import GraphSource
from graphsvc.recommend.text import TextIndex
from graphsvc.recommend.titles import TitleOrder

__all__ = ["EDGE_CODE", "EDGE_KINDS", "BoolArray", "IndexState", "top_scores"]

BoolArray = npt.NDArray[np.bool_]

EDGE_KINDS: tuple[EdgeKind, ...] = tuple(EdgeKind)
"""Edge kinds in the order of their codes in the adjacency."""
EDGE_CODE: dict[EdgeKind, int] = {kind: code for code, kind in enumerate(EDGE_KINDS)}

_KIND_NAMES = {int(k): k.name.lower() for k in NodeKind}


class IndexState:
    """Everything one generation of the index reads; see the module docstring.

    The attributes are shared by the modules of this package; outside it, use the methods.
    """

    def __init__(
        self,
        source: GraphSource,
        iris: list[str],
        kinds: npt.NDArray[np.int8],
        ancestors: dict[str, frozenset[str]],
        context: dict[int, set[int]],
        features: FeatureIndex,
        peers_index: PeerIndex,
        places: Places,
        adjacency: Adjacency,
        *,
        text: TextIndex,
        years: npt.NDArray[np.int16],
        community: npt.NDArray[np.int32],
        context_graph: nx.Graph[int],
        theme_distance: dict[str, dict[str, int]],
        build_seconds: float,
    ) -> None:
        self.source = source  # the live source: labels and updates read it after the build
        self.iris = iris
        self.ids: dict[str, int] = {iri: i for i, iri in enumerate(iris)}
        self.kind = kinds
        self.tie = np.array([zlib.crc32(i.encode()) for i in iris], dtype=np.int64)
        self.alive: BoolArray = kinds == NodeKind.PRACTICE
        self.ancestors = ancestors
        self.context = context
        self.features = features
        self.peers_index = peers_index
        self.places = places  # as the build read them: queries never read places from the source
        self.adjacency = adjacency
        self.text = text
        self.year = years  # per node: a practice's year, 0 if unknown
        size = len(kinds)
        self.pes_of = np.full(size, -1, dtype=np.int32)  # per practice: its PES's node id
        self.country_of = np.full(size, -1, dtype=np.int32)  # per practice: its country's node id
        # per practice: a number that sorts by folded title, then IRI (the last tie-break)
        self.title_rank: FloatArray = np.zeros(size, dtype=np.float64)
        self.titles = TitleOrder()
        self._ranked = False  # until the build ranks every practice at once
        self.community = community  # per node: its community number, -1 for none
        self.context_graph = context_graph  # node ids other than practices; read by paths
        self.theme_distance = theme_distance  # theme -> broader and narrower themes -> steps
        self.build_seconds = build_seconds
        self.changes = 0  # per update, so cached per-node arrays know when they are stale
        self.refs: dict[int, NodeRef] = {}
        self.threshold_cache: tuple[int, FloatArray] | None = None
        self.cluster_cache: tuple[int, object] | None = None

    # -- growing ----------------------------------------------------------------------------------

    def grow(self) -> None:
        """Extend the per-node arrays to the adjacency's size (it grows first, on a new node)."""
        extra = self.adjacency.size - len(self.kind)
        if extra > 0:
            grow = max(extra, 16)
            self.kind = np.concatenate([self.kind, np.full(grow, -1, dtype=np.int8)])
            self.tie = np.concatenate([self.tie, np.zeros(grow, dtype=np.int64)])
            self.alive = np.concatenate([self.alive, np.zeros(grow, dtype=np.bool_)])
            self.year = np.concatenate([self.year, np.zeros(grow, dtype=np.int16)])
            self.community = np.concatenate([self.community, np.full(grow, -1, dtype=np.int32)])
            self.pes_of = np.concatenate([self.pes_of, np.full(grow, -1, dtype=np.int32)])
            self.country_of = np.concatenate([self.country_of, np.full(grow, -1, dtype=np.int32)])
            self.title_rank = np.concatenate([self.title_rank, np.zeros(grow, dtype=np.float64)])

    def add_node(self, iri: str, kind: NodeKind) -> int:
        node = self.adjacency.add_node()
        self.grow()
        self.iris.append(iri)
        self.ids[iri] = node
        self.kind[node] = int(kind)
        self.tie[node] = zlib.crc32(iri.encode())
        return node

    def set_practice(self, node: int, features: Sequence[Feature], title: str, year: int) -> None:
        """Record a practice's PES, country, sortable title and year (from its features)."""
        self.grow()
        self.pes_of[node] = -1
        self.country_of[node] = -1
        for signal, iri in features:
            if signal is Signal.PES:
                self.pes_of[node] = self.ids.get(iri, -1)
            elif signal is Signal.COUNTRY:
                self.country_of[node] = self.ids.get(iri, -1)
        self.year[node] = year
        if self._ranked:
            self.titles.set(node, sort_key(title), self.iris[node], self.title_rank)

    def forget_practice(self, node: int) -> None:
        """A deleted practice leaves the title order."""
        self.titles.remove(node, self.title_rank)

    def rank_titles(self, titles: Mapping[int, str]) -> None:
        """Rank every practice by title at the end of a build (node -> title)."""
        self.grow()
        entries = [(sort_key(t), self.iris[n], n) for n, t in titles.items()]
        self.titles.build(entries, self.title_rank)
        self._ranked = True

    # -- lookups ----------------------------------------------------------------------------------

    def node_id(self, iri: str, kind: NodeKind, what: str) -> int:
        """The id of ``iri`` if it is a node of ``kind``, else :class:`NotFoundError`."""
        node = self.ids.get(iri)
        if (
            node is None
            or self.kind[node] != kind
            or (kind == NodeKind.PRACTICE and not self.alive[node])
        ):
            raise NotFoundError(f"{what} {iri}")
        return node

    def ref(self, node: int, lang: str = "en") -> NodeRef:
        """The node with its label in ``lang`` (English ones cached; a practice's entry is
        dropped when it changes)."""
        if lang != "en":
            iri = self.iris[node]
            kind = _KIND_NAMES[int(self.kind[node])]
            return NodeRef(iri, node_label(self.source, iri, lang), kind)
        found = self.refs.get(node)
        if found is None:
            iri = self.iris[node]
            kind = _KIND_NAMES[int(self.kind[node])]
            found = self.refs[node] = NodeRef(iri, node_label(self.source, iri), kind)
        return found

    def ref_of(self, iri: str, lang: str = "en") -> NodeRef:
        return self.ref(self.ids[iri], lang)

    def iri_of(self, node: int) -> str:
        return self.iris[node]

    def has_node(self, iri: str) -> bool:
        return iri in self.ids

    def alive_practices(self) -> BoolArray:
        """A fresh mask over node ids of the practices the index holds."""
        self.grow()
        mask: BoolArray = self.alive[: self.adjacency.size].copy()
        return mask

    def practices_of(self, pes_node: int) -> list[int]:
        cols, _, kinds = self.adjacency.row(pes_node)
        hits = cols[(kinds == EDGE_CODE[EdgeKind.PES]) & self.alive[cols]]
        return sorted(int(h) for h in hits)

    def top(self, score: FloatArray, mask: BoolArray | None, k: int) -> list[int]:
        """The ids of the ``k`` best positive scores in ``mask``, ties broken by the IRI hash."""
        return top_scores(score, mask, k, self.tie[: self.adjacency.size])


def top_scores(score: FloatArray, mask: BoolArray | None, k: int, tie: IntArray) -> list[int]:
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
