"""Communities of the projection (Louvain, with NetworkX), used for diversity and shown as clusters.

Louvain on the whole projection takes 46 s at 100k practices with NetworkX, so it runs on the
projection *folded* onto its other nodes (themes, events, PES, countries, regions, target groups,
networks; about 5k at 100k practices): two of them are linked by their own edge plus, for every
practice linked to both, ``w(p, u) * w(p, v) / deg(p)`` (the two-step walk through the practice,
so the practices are eliminated from the graph rather than ignored).
``networkx.community.louvain_communities`` with a fixed seed partitions that graph (2 s at 100k
practices); communities are numbered by their first node in IRI order, so the same data gives the
same numbers. A practice belongs to the community that holds most of its edge weight (ties: the
lower number); so does a practice created or changed after the build, in O(degree), until the
next rebuild runs Louvain again.

A cluster is labelled by the themes most of its practices have (:func:`clusters`). Example::

    >>> community = detect(adjacency, kinds, iris)                       # doctest: +SKIP
    >>> [c.themes for c in clusters(state)][:1]                          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graphsvc.recommend.adjacency import Adjacency
from graphsvc.recommend.features import Signal
from graphsvc.recommend.projection import NodeKind

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = ["LOUVAIN_SEED", "Cluster", "assign", "clusters", "detect"]

LOUVAIN_SEED = 0
"""The seed of Louvain's random node order: the same data gives the same communities."""

TOP_THEMES = 3


@dataclass(frozen=True, slots=True)
class Cluster:
    """A community of practices: its number, how many practices it holds, and its top themes
    (IRIs, most practices first) with the number of its practices on each."""

    number: int
    size: int
    themes: tuple[tuple[str, int], ...]


def detect(adjacency: Adjacency, kinds: npt.NDArray[np.int8]) -> npt.NDArray[np.int32]:
    """Every node's community number (``-1``: none), Louvain on the folded projection.

    O(edges) to fold plus Louvain on the folded graph.
    """
    size = adjacency.size
    community = np.full(size, -1, dtype=np.int32)
    if size == 0:
        return community
    position, neighbour, weight, _ = adjacency.gather(np.arange(size, dtype=np.int64))
    a = sp.csr_matrix((weight, (position, neighbour)), shape=(size, size))
    practice = kinds[:size] == NodeKind.PRACTICE
    degree = adjacency.degree[:size]
    inverse = np.where(practice & (degree > 0), 1.0 / np.where(degree > 0, degree, 1.0), 0.0)
    context = sp.diags((~practice).astype(np.float64))
    folded = context @ (a + a @ sp.diags(inverse) @ a) @ context
    upper = sp.triu(folded, k=1).tocoo()
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(np.flatnonzero(~practice).tolist())
    graph.add_weighted_edges_from(
        zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist(), strict=True)
    )
    found = nx.community.louvain_communities(graph, weight="weight", seed=LOUVAIN_SEED)
    # nodes are numbered in IRI order at a build: number communities by their first node
    for number, members in enumerate(sorted(found, key=min)):
        community[np.fromiter(members, dtype=np.int64)] = number
    nodes = np.flatnonzero(practice)
    if len(nodes):
        community[nodes] = _majority(adjacency, community, nodes)
    return community


def _majority(
    adjacency: Adjacency, community: npt.NDArray[np.int32], nodes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int32]:
    """For each of ``nodes``, the community holding most of its edge weight (-1 if none)."""
    position, neighbour, weight, _ = adjacency.gather(nodes)
    found = community[neighbour]
    keep = found >= 0
    position, found, weight = position[keep], found[keep], weight[keep]
    out = np.full(len(nodes), -1, dtype=np.int32)
    if not len(found):
        return out
    count = int(found.max()) + 1
    sums = np.bincount(position * count + found, weights=weight, minlength=len(nodes) * count)
    sums = sums.reshape(len(nodes), count)
    best = sums.argmax(axis=1)  # the first maximum: the lower number on a tie
    has = sums.max(axis=1) > 0
    out[has] = best[has]
    return out


def assign(state: IndexState, node: int) -> None:
    """Put one node (a practice after a change, a new node) in its neighbours' community."""
    state.grow()
    state.community[node] = _majority(
        state.adjacency, state.community, np.array([node], dtype=np.int64)
    )[0]


def clusters(state: IndexState) -> list[Cluster]:
    """The communities that hold practices, with their top themes; cached until a change.

    O(sum of the theme postings).
    """
    cached = state.cluster_cache
    if cached is not None and cached[0] == state.changes:
        return list(cast(tuple[Cluster, ...], cached[1]))
    state.grow()
    size = state.adjacency.size
    community = state.community[:size]
    alive = state.alive[:size]
    members = community[alive & (community >= 0)]
    count = int(community.max()) + 1 if size and community.max() >= 0 else 0
    sizes = np.bincount(members, minlength=count) if count else np.zeros(0, dtype=np.int64)
    per_theme: list[tuple[str, npt.NDArray[np.int64]]] = []
    for theme in sorted(state.source.themes):
        posting = state.features.posting((Signal.THEME, theme))
        found = community[posting] if len(posting) else np.zeros(0, dtype=np.int32)
        found = found[found >= 0]
        per_theme.append((theme, np.bincount(found, minlength=count)))
    out: list[Cluster] = []
    for number in range(count):
        if sizes[number] == 0:
            continue
        ranked = sorted(
            ((-int(c[number]), theme) for theme, c in per_theme if c[number] > 0),
        )[:TOP_THEMES]
        out.append(Cluster(number, int(sizes[number]), tuple((t, -n) for n, t in ranked)))
    state.cluster_cache = (state.changes, tuple(out))
    return out
