"""Personalised PageRank by local forward push (Andersen, Chung and Lang 2006), vectorised.

The walk starts from a seed distribution ``s`` (one practice, or a weighted set of nodes), moves to
a neighbour with probability proportional to the edge weight, and jumps back to ``s`` with
probability ``alpha`` at each step; PPR is its stationary distribution, the solution of
``ppr = alpha * s + (1 - alpha) * ppr @ D^-1 W``.

Forward push keeps an estimate ``p`` and a residual ``r`` (initially ``s``) and repeatedly *pushes*
a node ``u`` whose residual exceeds ``epsilon * deg(u)``: ``alpha * r[u]`` goes to ``p[u]`` and
the rest is spread over ``u``'s neighbours by edge weight. Here every node over the threshold is
pushed in the same round, with one gather of their rows and one scatter-add (synchronous push, as
in parallel local clustering), so the Python work is per round, not per node. When no node is over
the threshold, ``|p[v] - ppr[v]| <= epsilon * deg(v)`` for every node ``v``.

Complexity: the pushed volume (sum of the degrees of the pushed nodes) is at most
``1 / (epsilon * alpha)`` for the sequential algorithm, independent of the graph size; each round
adds O(nodes) for the dense vectors. Per-request ``networkx.pagerank`` is O(iterations x edges).

Example::

    >>> adj = Adjacency.from_edges(3, [0, 1], [1, 2], [1.0, 1.0], [0, 0])
    >>> p = personalized_pagerank(adj, {0: 1.0})
    >>> bool(p[1] > p[2] > 0)
    True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from graphsvc.recommend.adjacency import Adjacency, FloatArray, IntArray

__all__ = ["ALPHA", "COARSE_EPSILON", "EPSILON", "arriving_mass", "personalized_pagerank"]

BoolArray = npt.NDArray[np.bool_]

ALPHA = 0.15
"""Probability of jumping back to the seeds at each step."""

EPSILON = 1e-6
"""Push threshold per unit of weighted degree (nodes other than practices)."""

COARSE_EPSILON = 1e-3
"""Push threshold per unit of weighted degree for practices other than the seeds."""

MAX_ROUNDS = 40


def personalized_pagerank(
    adjacency: Adjacency,
    seeds: Mapping[int, float],
    *,
    alpha: float = ALPHA,
    epsilon: float = EPSILON,
    coarse: BoolArray | None = None,
    coarse_epsilon: float = COARSE_EPSILON,
    threshold: FloatArray | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> FloatArray:
    """Approximate PPR of every node for the seed distribution ``seeds`` (normalised here).

    ``coarse`` marks nodes pushed only when their residual exceeds ``coarse_epsilon * deg`` (the
    practices: mass that reaches a practice walks on only when it is large, e.g. through a small
    event); every other node uses ``epsilon``. The invariant of forward push holds with per-node
    tolerances, so ``0 <= ppr[v] - p[v] <= tolerance(v) * deg(v)`` for every ``v`` if no round
    limit was hit. The returned estimate adds ``alpha * r[v]``, what one more push would settle at
    ``v`` (still a lower bound): practices that were never pushed get their share instead of 0. Returns a dense array over node ids; seeds without weight give zeros.
    """
    size = adjacency.size
    p = np.zeros(size, dtype=np.float64)
    r = np.zeros(size, dtype=np.float64)
    total = sum(w for w in seeds.values() if w > 0)
    if total <= 0:
        return p
    for node, w in seeds.items():
        if w > 0:
            r[node] += w / total
    degree = adjacency.degree[:size]
    if threshold is None:
        threshold = epsilon * degree
        if coarse is not None:
            threshold = np.where(coarse[:size], coarse_epsilon * degree, threshold)
    frontier: IntArray = np.array(sorted(n for n in seeds if r[n] > 0), dtype=np.int64)
    for _ in range(max_rounds):
        if not len(frontier):
            break
        mass = r[frontier]
        r[frontier] = 0.0
        deg = degree[frontier]
        isolated = deg <= 0
        p[frontier] += np.where(isolated, mass, alpha * mass)
        coefficients = (1.0 - alpha) * mass / np.where(isolated, 1.0, deg)
        coefficients[isolated] = 0.0
        neighbour, share = adjacency.spread(frontier, coefficients)
        if not len(neighbour):
            break
        if len(neighbour) * 32 < size:  # a small round: touch only the neighbours
            np.add.at(r, neighbour, share)
            over = neighbour[r[neighbour] > threshold[neighbour]]
            frontier = np.unique(over) if len(over) > 1 else over
        else:
            r += np.bincount(neighbour, weights=share, minlength=size)
            frontier = np.flatnonzero(r > threshold)
    # a node below its threshold keeps its mass in r; a push would give it alpha of it at once
    p += alpha * r
    return p


def arriving_mass(
    adjacency: Adjacency, p: FloatArray, node: int, alpha: float = ALPHA
) -> tuple[IntArray, FloatArray, IntArray]:
    """Where ``node``'s PageRank comes from: per neighbour ``v``, ``(1-alpha) p[v] w(v,node)/deg(v)``.

    For a node other than a seed, these terms sum to its PPR (the stationarity equation), so
    grouping them by edge kind splits the score into signals. Returns (neighbours, mass, kinds).
    """
    cols, ws, ks = adjacency.row(node)
    deg = adjacency.degree[cols]
    safe = np.where(deg > 0, deg, 1.0)
    return cols, (1.0 - alpha) * p[cols] * ws / safe, ks.astype(np.int64)
