"""The projection as arrays: integer node ids and a weighted adjacency that can change in place.

:class:`Adjacency` holds the undirected projection (``graphsvc.recommend.projection``) as a CSR
matrix built once, plus rows that later writes replaced. Reading a row, or the rows of a whole
frontier at once (:meth:`Adjacency.gather`, vectorised with numpy), never copies the base matrix;
changing a practice replaces its row and the rows of its neighbours (O(degree) each), and
:meth:`Adjacency.compact` folds the replaced rows back into a fresh CSR matrix when they grow
numerous. Node ids are dense; a removed node keeps its id with an empty row.

Writers are serialised by the caller; a reader sees each row either before or after a change,
because a replaced row is a new tuple of arrays assigned in one step.

Complexity: build O(E log E) for E edges (one sort); :meth:`row` O(1) plus O(degree) for a
replaced row; :meth:`gather` O(sum of the degrees); :meth:`set_row` O(sum of the degrees of the
old and new neighbours). Example::

    >>> adj = Adjacency.from_edges(3, [0, 1], [1, 2], [1.0, 0.5], [0, 1])
    >>> adj.row(1)[0].tolist(), adj.degree[1]
    ([0, 2], 1.5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["Adjacency", "FloatArray", "IntArray", "KindArray", "Row"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
KindArray = npt.NDArray[np.int8]
Row = tuple[IntArray, FloatArray, KindArray]
"""Neighbour ids, edge weights and edge kind codes of one node."""

_EMPTY_ROW: Row = (
    np.zeros(0, dtype=np.int64),
    np.zeros(0, dtype=np.float64),
    np.zeros(0, dtype=np.int8),
)


class Adjacency:
    """A symmetric weighted adjacency with typed edges; see the module docstring."""

    def __init__(
        self,
        indptr: IntArray,
        indices: IntArray,
        weights: FloatArray,
        kinds: KindArray,
        size: int,
    ) -> None:
        self._indptr = indptr
        self._indices = indices
        self._weights = weights
        self._kinds = kinds
        self._base = len(indptr) - 1  # nodes covered by the CSR base
        self.size = size
        capacity = max(16, size)
        self.degree: FloatArray = np.zeros(capacity, dtype=np.float64)
        self._replaced: npt.NDArray[np.bool_] = np.zeros(capacity, dtype=np.bool_)
        self._rows: dict[int, Row] = {}
        owners = np.repeat(np.arange(self._base, dtype=np.int64), np.diff(indptr))
        self.degree[: self._base] = np.bincount(owners, weights, minlength=self._base)

    @classmethod
    def from_edges(
        cls,
        size: int,
        sources: Sequence[int] | IntArray,
        targets: Sequence[int] | IntArray,
        weights: Sequence[float] | FloatArray,
        kinds: Sequence[int] | KindArray,
    ) -> Adjacency:
        """Build from undirected edges (each listed once; a repeated pair keeps its first edge)."""
        u = np.asarray(sources, dtype=np.int64)
        v = np.asarray(targets, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        k = np.asarray(kinds, dtype=np.int8)
        keep = u != v
        u, v, w, k = u[keep], v[keep], w[keep], k[keep]
        # a repeated pair (in either direction) keeps its first edge
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first = np.unique(lo * max(size, 1) + hi, return_index=True)
        first.sort()
        u, v, w, k = u[first], v[first], w[first], k[first]
        rows = np.concatenate([u, v])
        cols = np.concatenate([v, u])
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        ws = np.concatenate([w, w])[order]
        ks = np.concatenate([k, k])[order]
        indptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=size), out=indptr[1:])
        return cls(indptr, cols, ws, ks, size)

    # -- reading ----------------------------------------------------------------------------------

    def row(self, node: int) -> Row:
        """Neighbours, weights and kinds of ``node`` (views of the base, or a replaced row)."""
        if self._replaced[node]:
            return self._rows[node]
        if node >= self._base:
            return _EMPTY_ROW
        start, end = self._indptr[node], self._indptr[node + 1]
        return self._indices[start:end], self._weights[start:end], self._kinds[start:end]

    def gather(self, nodes: IntArray) -> tuple[IntArray, IntArray, FloatArray, KindArray]:
        """The rows of ``nodes`` concatenated: ``(position in nodes, neighbour, weight, kind)``."""
        replaced = self._replaced[nodes]
        base = ~replaced & (nodes < self._base)
        parts: list[tuple[IntArray, IntArray, FloatArray, KindArray]] = []
        if base.any():
            where = np.flatnonzero(base)
            starts = self._indptr[nodes[where]]
            lengths = self._indptr[nodes[where] + 1] - starts
            total = int(lengths.sum())
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            index = offsets + np.arange(total, dtype=np.int64)
            parts.append(
                (
                    np.repeat(where, lengths),
                    self._indices[index],
                    self._weights[index],
                    self._kinds[index],
                )
            )
        for position in np.flatnonzero(replaced).tolist():
            cols, ws, ks = self._rows[int(nodes[position])]
            parts.append((np.full(len(cols), position, dtype=np.int64), cols, ws, ks))
        if not parts:
            return (
                np.zeros(0, dtype=np.int64),
                _EMPTY_ROW[0],
                _EMPTY_ROW[1],
                _EMPTY_ROW[2],
            )
        if len(parts) == 1:
            return parts[0]
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )

    def spread(self, nodes: IntArray, coefficients: FloatArray) -> tuple[IntArray, FloatArray]:
        """Every edge of ``nodes``: its neighbour and ``coefficients[i] * weight`` for node ``i``.

        The inner step of a push: a few rows (hubs) are sliced and concatenated, many rows are
        gathered with one vectorised index. O(sum of the degrees).
        """
        if len(nodes) <= 32:
            cols_parts: list[IntArray] = []
            value_parts: list[FloatArray] = []
            for node, c in zip(nodes.tolist(), coefficients.tolist(), strict=True):
                cols, ws, _ = self.row(node)
                if len(cols):
                    cols_parts.append(cols)
                    value_parts.append(ws * c)
            if not cols_parts:
                return _EMPTY_ROW[0], _EMPTY_ROW[1]
            if len(cols_parts) == 1:
                return cols_parts[0], value_parts[0]
            return np.concatenate(cols_parts), np.concatenate(value_parts)
        position, cols, ws, _ = self.gather(nodes)
        return cols, ws * coefficients[position]

    def edge(self, a: int, b: int) -> tuple[float, int] | None:
        """Weight and kind of the edge ``a``-``b``, or ``None``. O(degree of a)."""
        cols, ws, ks = self.row(a)
        hit = np.flatnonzero(cols == b)
        return (float(ws[hit[0]]), int(ks[hit[0]])) if len(hit) else None

    @property
    def replaced_rows(self) -> int:
        return len(self._rows)

    # -- writing ----------------------------------------------------------------------------------

    def add_node(self) -> int:
        """A new node id with no edges."""
        node = self.size
        if node >= len(self.degree):
            grow = max(16, len(self.degree))
            self.degree = np.concatenate([self.degree, np.zeros(grow)])
            self._replaced = np.concatenate([self._replaced, np.zeros(grow, dtype=np.bool_)])
        self.size += 1
        return node

    def set_row(self, node: int, edges: Mapping[int, tuple[float, int]]) -> None:
        """Make ``edges`` (neighbour -> (weight, kind)) the edges of ``node``, both directions."""
        old_cols, _, _ = self.row(node)
        old = set(old_cols.tolist())
        new = {v: e for v, e in edges.items() if v != node}
        for v in old - set(new):
            self._put(v, *self._without(v, node))
        for v, (weight, kind) in new.items():
            cols, ws, ks = self._without(v, node)
            self._put(
                v,
                np.append(cols, node),
                np.append(ws, weight),
                np.append(ks, np.int8(kind)),
            )
        order = sorted(new)
        self._put(
            node,
            np.array(order, dtype=np.int64),
            np.array([new[v][0] for v in order], dtype=np.float64),
            np.array([new[v][1] for v in order], dtype=np.int8),
        )

    def _without(self, node: int, neighbour: int) -> Row:
        cols, ws, ks = self.row(node)
        keep = cols != neighbour
        if keep.all():
            return cols, ws, ks
        return cols[keep], ws[keep], ks[keep]

    def _put(self, node: int, cols: IntArray, ws: FloatArray, ks: KindArray) -> None:
        self._rows[node] = (cols, ws, ks)
        self._replaced[node] = True
        self.degree[node] = float(ws.sum())

    def compact(self) -> None:
        """Fold the replaced rows into a new CSR base. O(E)."""
        lengths = np.array([len(self.row(u)[0]) for u in range(self.size)], dtype=np.int64)
        indptr = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        everything = self.gather(np.arange(self.size, dtype=np.int64))
        # gather lists base rows first, then replaced rows: put them in node order
        order = np.argsort(everything[0], kind="stable")
        self._indptr = indptr
        self._indices = everything[1][order]
        self._weights = everything[2][order]
        self._kinds = everything[3][order]
        self._base = self.size
        self._rows = {}
        self._replaced[:] = False
