"""Explanation paths: the cheapest way through the graph from the query to a recommended item.

The state keeps a NetworkX graph of the nodes other than practices (themes, events, PES,
countries, regions, target groups, networks and their edges; about 5k nodes at 100k practices),
built with the index and extended when a practice brings in a new node. A path runs from the query
(a practice, the practices of a PES, or the themes and places of a profile) through that graph to
the item, with the cost of an edge ``1 / weight`` (a theme link, weight 1, is cheaper than a
country link, weight 0.25), and never through another practice.

Sources reached from the query at different costs are grouped by cost and each group is searched
with ``networkx.multi_source_dijkstra`` (at most one search per edge kind), so the result is the
exact weighted shortest path. Complexity: O(context nodes and edges within the cut-off) per group.
Example::

    >>> [n.label for n in path(state, {query: 1.0}, item)]               # doctest: +SKIP
    ['Ohjaamo', 'Youth Guarantee', 'Youth hubs']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import networkx as nx

from graphsvc.recommend.projection import NodeKind

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = ["MAX_COST", "path"]

MAX_COST = 12.0
"""Paths that cost more (e.g. more than three country links) are not worth showing."""


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
    """The cheapest path seed -> context nodes -> ``target`` (node ids), or ``[]`` if none
    costs less than :data:`MAX_COST`."""
    start: dict[int, tuple[float, int]] = {}  # context node -> (cost from a seed, that seed)
    for seed in sorted(seeds):
        for v, c in _ends(state, seed).items():
            if v not in start or c < start[v][0]:
                start[v] = (c, seed)
    goal = _ends(state, target)
    if not start or not goal:
        return []
    graph = state.context_graph
    best: tuple[float, list[int]] | None = None
    for offset in sorted({c for c, _ in start.values()}):
        sources = {v for v, (c, _) in start.items() if c == offset and v in graph}
        if not sources:
            continue
        found = nx.multi_source_dijkstra(graph, sources, cutoff=MAX_COST - offset, weight="cost")
        distances = cast(dict[int, float], found[0])
        routes = cast(dict[int, list[int]], found[1])
        for v, c in sorted(goal.items()):
            if v not in distances:
                continue
            total = offset + distances[v] + c
            if total <= MAX_COST and (best is None or total < best[0]):
                route = routes[v]
                seed = start[route[0]][1]
                nodes = [*route, target] if seed == route[0] else [seed, *route, target]
                best = (total, nodes)
    return best[1] if best is not None else []
