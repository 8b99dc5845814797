"""Incremental updates of an :class:`~graphsvc.recommend.state.IndexState`, one practice at a time.

:func:`update_practice` re-reads one practice from the state's source and replaces its row of the
adjacency (and so the rows of its neighbours), its features and its PES's portfolio counts,
O(degree of its neighbours); a node the practice is the first to mention (a new event) is added
with its context edges, and a new PES or country also to the state's places. The result answers exactly like a fresh build of the same source.

Readers take no lock: rows, arrays and cached entries are replaced rather than edited in place,
so a reader sees each of them before or after a change, never half-written. Example::

    >>> source.practices[iri] = changed                                  # doctest: +SKIP
    >>> update_practice(state, iri)                                      # doctest: +SKIP
"""

from __future__ import annotations

from graphsvc.model.records import pick_label
from graphsvc.recommend import communities
from graphsvc.recommend.build import practice_features
from graphsvc.recommend.features import Signal
from graphsvc.recommend.projection import (
    EDGE_WEIGHTS,
    NodeKind,
    context_edges_of,
    kind_of,
    practice_edges,
)
from graphsvc.recommend.state import EDGE_CODE, IndexState
from graphsvc.recommend.text import practice_terms

__all__ = ["COMPACT_AFTER", "update_practice"]

COMPACT_AFTER = 2000
"""Replaced rows (and at least a tenth of the nodes) before they are folded into a new CSR."""


def update_practice(state: IndexState, iri: str) -> None:
    """Bring one practice up to date with the source, or remove it if the source lost it."""
    source = state.source
    practice = source.practices.get(iri)
    node = state.ids.get(iri)
    if node is not None and state.kind[node] == NodeKind.PRACTICE:
        old = state.features.features(node)
        old_pes = next((i for s, i in old if s is Signal.PES), None)
        if old_pes is not None:
            state.peers_index.add(old_pes, old, sign=-1)
    if practice is None:
        if node is not None:
            state.adjacency.set_row(node, {})
            state.features.set_features(node, ())
            state.text.set_terms(node, {})
            state.alive[node] = False
            state.community[node] = -1
            state.set_practice(node, (), "", 0)
            state.forget_practice(node)
    else:
        if node is None:
            node = state.add_node(iri, NodeKind.PRACTICE)
        edges: dict[int, tuple[float, int]] = {}
        for edge in practice_edges(source, practice):
            target = state.ids.get(edge.target)
            if target is None:
                target = _add_context_node(state, edge.target)
            if target is not None and target not in edges:
                edges[target] = (EDGE_WEIGHTS[edge.kind], EDGE_CODE[edge.kind])
        state.adjacency.set_row(node, edges)
        features = practice_features(source, practice, state.ancestors)
        state.features.set_features(node, features)
        if practice.pes and practice.pes in source.pes:
            state.peers_index.add(practice.pes, features)
        state.text.set_terms(node, practice_terms(practice, getattr(source, "search", None)))
        title = pick_label(practice.title, "en", practice.iri)
        state.set_practice(node, features, title, practice.year or 0)
        state.alive[node] = True
        communities.assign(state, node)
    if node is not None:
        state.refs.pop(node, None)
    if state.adjacency.replaced_rows > max(COMPACT_AFTER, state.adjacency.size // 10):
        state.adjacency.compact()
    state.changes += 1


def _add_context_node(state: IndexState, iri: str) -> int | None:
    """A node a practice is the first to mention (e.g. a new event), with its context edges."""
    kind = kind_of(state.source, iri)
    if kind is None:
        return None
    node = state.add_node(iri, kind)
    if kind in (NodeKind.PES, NodeKind.COUNTRY):
        state.places = state.places.with_node(state.source, iri)  # replaced, never edited
    row: dict[int, tuple[float, int]] = {}
    for edge in context_edges_of(state.source, iri):
        other = edge.target if edge.source == iri else edge.source
        other_id = state.ids.get(other)
        if other_id is not None:
            row[other_id] = (EDGE_WEIGHTS[edge.kind], EDGE_CODE[edge.kind])
            state.context.setdefault(node, set()).add(other_id)
            state.context.setdefault(other_id, set()).add(node)
            state.context_graph.add_edge(node, other_id, cost=1.0 / EDGE_WEIGHTS[edge.kind])
    state.context_graph.add_node(node)
    state.adjacency.set_row(node, row)
    communities.assign(state, node)
    return node
