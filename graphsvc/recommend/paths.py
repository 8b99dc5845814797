"""Explanation paths: the cheapest way through the graph from the query to a recommended item.

The state keeps a NetworkX graph of the nodes other than practices (themes, events, PES,
countries, regions, target groups, networks and their edges; about 5k nodes at 100k practices),
built with the index and extended when a practice brings in a new node. A path runs from the query
(a practice, the practices of a PES, or the themes and places of a profile) through that graph to
the item, with the cost of an edge ``1 / weight`` (a theme link, weight 1, is cheaper than a
country link, weight 0.25), never through another practice, and with at most
:data:`MAX_INNER` nodes between the two ends: a longer chain explains nothing a reader can follow.

Among those paths the cheapest is exact: every pair of a node next to the query and a node next
to the item is joined directly, or through their common neighbours in the graph
(``networkx.common_neighbors``); a full Dijkstra over the graph (``networkx.multi_source_dijkstra``)
costs 100 ms and more at 100k practices, this a fraction of a millisecond. Ties go to the
shorter path, then the IRIs. Complexity: O(ends x ends x smaller degree). Example::

    >>> [n.label for n in path(state, {query: 1.0}, item)]               # doctest: +SKIP
    ['Ohjaamo', 'Youth Guarantee', 'Youth hubs']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import networkx as nx

from graphsvc.recommend.projection import NodeKind

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = ["MAX_ENDS", "MAX_INNER", "path"]

MAX_INNER = 3
"""At most this many nodes between the query and the item."""

MAX_ENDS = 64
"""Of many nodes next to the query (a PES's practices), the cheapest this many are tried."""


def _cost(weight: float) -> float:
    return 1.0 / weight if weight > 0 else float("inf")


def _ends(state: IndexState, node: int) -> dict[int, float]:
    """The context nodes next to ``node`` with the cost of reaching them; itself if it is one."""
    if state.kind[node] != NodeKind.PRACTICE:
        return {node: 0.0}
    cols, weights, _ = state.adjacency.row(node)
    out: dict[int, float] = {}
    for v, w in zip(cols.tolist(), weights.tolist(), strict=True):
        if state.kind[v] != NodeKind.PRACTICE:
            out[v] = min(out.get(v, float("inf")), _cost(w))
    return out


def path(state: IndexState, seeds: Mapping[int, float], target: int) -> list[int]:
    """The cheapest path seed -> at most :data:`MAX_INNER` context nodes -> ``target`` (node
    ids), or ``[]`` if there is none."""
    start: dict[int, tuple[float, int]] = {}  # context node -> (cost from a seed, that seed)
    for seed in sorted(seeds):
        for v, c in _ends(state, seed).items():
            if v not in start or c < start[v][0]:
                start[v] = (c, seed)
    if len(start) > MAX_ENDS:
        start = dict(sorted(start.items(), key=lambda kv: (kv[1][0], state.iris[kv[0]]))[:MAX_ENDS])
    goal = _ends(state, target)
    graph = state.context_graph
    adj = graph.adj
    iris = state.iris
    best: tuple[float, int, list[str], list[int], int] | None = None  # cost, length, IRIs, ...

    def consider(cost: float, inner: list[int], seed: int) -> None:
        nonlocal best
        key = (cost, len(inner), [iris[n] for n in inner])
        if best is None or key < best[:3]:
            best = (*key, inner, seed)

    for x, (cx, seed) in start.items():
        if x not in adj:
            continue
        for y, cy in goal.items():
            if y not in adj:
                continue
            if x == y:
                consider(cx + cy, [x], seed)
                continue
            edge = adj[x].get(y)
            if edge is not None:
                consider(cx + edge["cost"] + cy, [x, y], seed)
            for z in nx.common_neighbors(graph, x, y):  # MAX_INNER = 3: one node between
                consider(cx + adj[x][z]["cost"] + adj[z][y]["cost"] + cy, [x, z, y], seed)
    if best is None:
        return []
    inner, seed = best[3], best[4]
    return [*inner, target] if seed == inner[0] else [seed, *inner, target]
