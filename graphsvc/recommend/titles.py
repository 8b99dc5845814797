"""A number per practice that sorts practices by title, then IRI, kept current practice by practice.

Rankings break their last ties by title and IRI (never by a hash). Comparing strings inside a
numpy sort is slow, so :class:`TitleOrder` gives each practice a float: at a build, its position
in the sorted ``(folded title, IRI)`` list; a practice created or retitled later gets a value
between its neighbours in that list, spread evenly among the practices that fell into the same
gap. Sorting by the floats sorts by ``(title, IRI)``, as a fresh build would.

Complexity: :meth:`TitleOrder.build` O(n log n); :meth:`TitleOrder.set` O(log n + practices in
the gap). Example::

    >>> rank = np.zeros(3); order = TitleOrder()
    >>> order.build([("beta", "x", 0), ("alpha", "y", 1)], rank)
    >>> order.set(2, "alpha", "z", rank); rank.tolist()
    [1.0, 0.0, 0.5]
"""

from __future__ import annotations

import bisect

import numpy as np

from graphsvc.recommend.adjacency import FloatArray

__all__ = ["TitleOrder"]

_Key = tuple[str, str]


class TitleOrder:
    """See the module docstring; ``rank`` arrays are the caller's, indexed by node id."""

    def __init__(self) -> None:
        self._base: list[_Key] = []  # sorted at the build
        self._base_of: dict[int, int] = {}  # node -> its position in _base, while current
        self._gaps: dict[int, list[tuple[str, str, int]]] = {}  # gap -> sorted later entries
        self._gap_of: dict[int, int] = {}

    def build(self, entries: list[tuple[str, str, int]], rank: FloatArray) -> None:
        """Rank ``(title key, IRI, node)`` entries afresh."""
        entries = sorted(entries)
        self._base = [(t, i) for t, i, _ in entries]
        self._base_of = {n: pos for pos, (_, _, n) in enumerate(entries)}
        self._gaps.clear()
        self._gap_of.clear()
        rank[np.array([n for _, _, n in entries], dtype=np.int64)] = np.arange(
            len(entries), dtype=np.float64
        )

    def set(self, node: int, title: str, iri: str, rank: FloatArray) -> None:
        """Give ``node`` the value of ``(title, iri)``."""
        self.remove(node, rank, keep_base=True)
        pos = self._base_of.get(node)
        if pos is not None:
            if self._base[pos] == (title, iri):
                rank[node] = pos
                return
            del self._base_of[node]  # retitled: its slot only separates the others now
        gap = bisect.bisect_left(self._base, (title, iri))  # between _base[gap - 1] and _base[gap]
        entries = self._gaps.setdefault(gap, [])
        bisect.insort(entries, (title, iri, node))
        self._gap_of[node] = gap
        self._renumber(gap, rank)

    def remove(self, node: int, rank: FloatArray, *, keep_base: bool = False) -> None:
        """Forget ``node`` (a deleted practice)."""
        gap = self._gap_of.pop(node, None)
        if gap is not None:
            self._gaps[gap] = [e for e in self._gaps[gap] if e[2] != node]
            if not self._gaps[gap]:
                del self._gaps[gap]
            else:
                self._renumber(gap, rank)
        if not keep_base:
            self._base_of.pop(node, None)

    def _renumber(self, gap: int, rank: FloatArray) -> None:
        entries = self._gaps[gap]
        for i, (_, _, node) in enumerate(entries):
            rank[node] = gap - 1 + (i + 1) / (len(entries) + 1)
