"""SPARQL Update text built from RDF terms.

Terms are written with pyoxigraph's N-Triples serialisation, which escapes every character that
could end a literal or an IRI, so user data can never change the shape of an update.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, DefaultGraph, Quad

from graphsvc.store.base import Changeset

__all__ = ["changeset_update", "quad_block"]


def quad_block(quads: Iterable[Quad]) -> str:
    """``{ <s> <p> <o> . GRAPH <g> { ... } }`` grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, BlankNode):
            raise ValueError("quads in blank-node graphs cannot be written")
        key = "" if isinstance(quad.graph_name, DefaultGraph) else str(quad.graph_name)
        by_graph.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = []
    for graph, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(body if not graph else f"GRAPH {graph} {{\n{body}\n}}")
    return "{\n" + "\n".join(parts) + "\n}"


def changeset_update(changes: Changeset) -> str:
    """One SPARQL Update request: ``DELETE DATA`` then ``INSERT DATA``."""
    for quad in changes.remove:
        if any(isinstance(t, BlankNode) for t in (quad.subject, quad.object)):
            raise ValueError(f"cannot delete a quad with a blank node by value: {quad}")
    operations = []
    if changes.remove:
        operations.append("DELETE DATA " + quad_block(changes.remove))
    if changes.add:
        operations.append("INSERT DATA " + quad_block(changes.add))
    return " ;\n".join(operations)
