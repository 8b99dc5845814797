"""SPARQL text built from RDF terms: updates, and values bound into a query.

Terms are written with pyoxigraph's N-Triples serialisation, which escapes every character that
could end a literal or an IRI, so user data can never change the shape of an update.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pyoxigraph import BlankNode, DefaultGraph, Quad

from graphsvc.errors import StoreError
from graphsvc.store.base import BoundTerm, Changeset
from graphsvc.store.sparql_lexer import QUERY_FORMS
from graphsvc.store.sparql_lexer import tokens as lex

__all__ = ["bind_values", "changeset_update", "quad_block", "variable_name"]

_VARIABLE = re.compile(r"[A-Za-z0-9_]+")
# what the search for the WHERE pattern looks at: words (keywords), prefixed names and the
# brackets that nest; strings, IRIs, comments and variables may hold braces or keywords
_STRUCTURE = frozenset({"word", "pname"})
_BRACKETS = frozenset("{}()")


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


def variable_name(name: str) -> str:
    """``"?s"``/``"$s"``/``"s"`` -> ``"s"``; anything that is not a plain name is refused."""
    bare = name[1:] if name[:1] in "?$" else name
    if not _VARIABLE.fullmatch(bare):
        raise StoreError(f"invalid SPARQL variable name {name!r}")
    return bare


def _values_block(bindings: Mapping[str, BoundTerm]) -> str:
    names = " ".join(f"?{variable_name(name)}" for name in bindings)
    for name, term in bindings.items():
        if isinstance(term, BlankNode):
            raise StoreError(f"cannot bind ?{variable_name(name)} to a blank node in query text")
    values = " ".join(str(term) for term in bindings.values())  # N-Triples: escaped
    return f"VALUES ({names}) {{ ({values}) }}"


def _where_brace(tokens: list[tuple[str, str, int]]) -> int | None:
    """Index (in ``tokens``) of the ``{`` that opens the query's WHERE pattern, if any."""
    form = next(
        (
            i
            for i, (kind, text, _) in enumerate(tokens)
            if kind == "word" and text.upper() in QUERY_FORMS
        ),
        None,
    )
    if form is None:
        return None
    i = form + 1
    if tokens[form][1].upper() == "CONSTRUCT" and i < len(tokens) and tokens[i][1] == "{":
        i = _matching(tokens, i) + 1  # skip the template
    elif tokens[form][1].upper() == "CONSTRUCT":
        return None  # CONSTRUCT WHERE { triples }: only triples may go inside
    parens = 0
    for j in range(i, len(tokens)):
        text = tokens[j][1]
        if text == "(":
            parens += 1
        elif text == ")":
            parens -= 1
        elif text == "{" and parens == 0:
            return j
    return None


def _matching(tokens: list[tuple[str, str, int]], open_index: int) -> int:
    depth = 0
    for j in range(open_index, len(tokens)):
        if tokens[j][1] == "{":
            depth += 1
        elif tokens[j][1] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise StoreError("unbalanced braces in the SPARQL query")


def bind_values(sparql: str, bindings: Mapping[str, BoundTerm]) -> str:
    """Bind variables to values by putting a ``VALUES`` block first in the WHERE pattern.

    There the values join the pattern before filters, grouping and projection, so a binding acts
    as if the variable were fixed in advance, whether or not it is projected. Terms are written
    as escaped N-Triples, and variable names must be plain names, so nothing a value holds can
    change the query's shape. A query without a WHERE pattern gets a trailing ``VALUES`` clause.
    """
    if not bindings:
        return sparql
    block = _values_block(bindings)
    tokens = [
        (token.kind, token.text, token.start)
        for token in lex(sparql)
        if token.kind in _STRUCTURE or (token.kind == "other" and token.text in _BRACKETS)
    ]
    brace = _where_brace(tokens)
    if brace is None:
        return f"{sparql}\n{block}"
    start = tokens[brace][2] + 1
    following = tokens[brace + 1] if brace + 1 < len(tokens) else None
    if following is not None and following[1].upper() == "SELECT":
        # a sub-select must be alone in its group: wrap it as { VALUES … { SELECT … } }
        end = tokens[_matching(tokens, brace)][2]
        return f"{sparql[:start]} {block} {{{sparql[start:end]}}} {sparql[end:]}"
    return f"{sparql[:start]} {block} {sparql[start:]}"
