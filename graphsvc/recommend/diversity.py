"""Diversity: re-rank so that a list mixes PES, countries and communities.

Greedy maximal-marginal-relevance re-ranking: at each position the item with the best *marginal*
score is taken, its score multiplied by :data:`DISCOUNTS` once per item already taken from the
same PES, the same country and the same community, the query's own PES counting as taken once
(so the second practice of a PES needs a clearly better score than a first practice of another
PES). On top, at most :data:`OWN_PER_TEN` of every ten positions (1-10, 11-20, ...) go to the
query's own PES; its further practices wait until the other candidates run out.

The re-ranking reads a *pool* of candidates that the caller chooses independently of the page
asked for (see :func:`graphsvc.recommend.queries._pool`); greedy steps give the same first ``n``
items whatever the depth, so pages cut from the list fit together. Given the best score outside
the pool, :func:`rerank` also says whether its order is exact, i.e. whether no candidate outside
could have won a step.

Complexity: O(depth x pool) vectorised work. Example::

    >>> picks, exact = rerank(score, groups, own, depth=10, outside=0.0)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from graphsvc.recommend.adjacency import FloatArray, IntArray

__all__ = ["DISCOUNTS", "OWN_PER_TEN", "rerank"]

DISCOUNTS: tuple[float, float, float] = (0.9, 0.9, 1.0)
"""Marginal-score factor per item already taken from the same PES, country and community. Mild:
the own-PES cap already keeps the query's PES to 3 in 10, and practices presented together share
a region (hence a community), so steeper factors push out the neighbours worth showing (the sweep
in docs/recommendations.md); the community factor stays, at 1.0, for a caller to set."""

OWN_PER_TEN = 3
"""At most this many of every ten positions go to the query's own PES."""


def rerank(
    relevance: FloatArray,
    groups: Sequence[IntArray],
    own: npt.NDArray[np.bool_] | None,
    depth: int,
    outside: float,
    seen: Sequence[int] = (),
) -> tuple[list[int], bool]:
    """Positions into the pool in their diversified order (at most ``depth``), and whether the
    order is exact (see the module docstring).

    ``relevance`` holds the pool's scores in pool order (best first, ties already broken);
    ``groups`` one code array per grouping (PES, country, community; ``-1``: no group);
    ``own`` marks the pool items from the query's own PES (``None``: no cap); ``outside`` is the
    best score of a candidate outside the pool (0 if there is none); ``seen`` the query's own
    code per grouping (the query counts as already in the list: the list is to show others).
    """
    size = len(relevance)
    logs = [float(np.log(d)) for d in DISCOUNTS[: len(groups)]]
    # the log of each item's discount, updated as items are taken: O(pool) per step and group
    log_factor = np.zeros(size, dtype=np.float64)
    for codes, code, lg in zip(groups, seen, logs, strict=False):
        if code >= 0:
            log_factor += (codes == code) * lg
    available = np.ones(size, dtype=np.bool_)
    picks: list[int] = []
    own_in_block = 0
    while len(picks) < depth:
        if len(picks) == size:
            return picks, outside <= 0  # the pool ran out: exact only if nothing is outside
        if len(picks) % 10 == 0:
            own_in_block = 0
        marginal = np.where(available, relevance * np.exp(log_factor), -1.0)
        if own is not None and own_in_block >= OWN_PER_TEN:
            open_ = np.where(own, -1.0, marginal)
            if open_.max() >= 0 or outside > 0:
                marginal = open_  # the own PES waits while others remain
        best = int(np.argmax(marginal))  # the first maximum: pool order breaks ties
        if marginal[best] < 0 or marginal[best] < outside:
            return picks, False  # a candidate outside the pool may win this step
        picks.append(best)
        available[best] = False
        for codes, lg in zip(groups, logs, strict=True):
            if codes[best] >= 0:
                log_factor += (codes == codes[best]) * lg
        if own is not None and own[best]:
            own_in_block += 1
    return picks, True
