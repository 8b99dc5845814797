"""Queries that nest, explicitly (brackets) or implicitly (chains the engine folds into deep trees),
one builder per kind that the SPARQL grammar allows: ``deep(kind, n)`` nests ``n`` levels."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["BRACKETED", "CHAINED", "deep"]

_P = "<http://example.org/p>"

# kinds whose depth is the depth of brackets
BRACKETED: dict[str, Callable[[int], str]] = {
    "expression parentheses": lambda n: "ASK { FILTER(" + "(" * n + "true" + ")" * n + ") }",
    "group braces": lambda n: "ASK " + "{" * n + "?s ?p ?o" + "}" * n,
    "blank node property lists": lambda n: "ASK { ?s ?p " + f"[ {_P} " * n + "1" + " ]" * n + " }",
    "collections": lambda n: "ASK { ?s ?p " + "( " * n + "1" + " )" * n + " }",
    "path parentheses": lambda n: "ASK { ?s " + "(" * n + _P + ")" * n + " ?o }",
    "subqueries": lambda n: "ASK " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n,
    "EXISTS": lambda n: "ASK { ?s ?p ?o " + "FILTER EXISTS { " * n + "?s ?p ?o" + " }" * n + " }",
    "function calls": lambda n: "ASK { BIND(" + "STR(" * n + '"a"' + ")" * n + " AS ?x) }",
    "GRAPH blocks": lambda n: "ASK " + "{ GRAPH ?g " * n + "{ ?s ?p ?o }" + " }" * n,
}

# kinds that nest without brackets: each item adds a level to the engine's tree
CHAINED: dict[str, Callable[[int], str]] = {
    "negations": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "sums": lambda n: "ASK { FILTER(" + "+".join(["1"] * n) + ") }",
    "disjunctions": lambda n: "ASK { FILTER(" + "||".join(["true"] * n) + ") }",
    "conjunctions": lambda n: "ASK { FILTER(" + "&&".join(["true"] * n) + ") }",
    "unions": lambda n: "ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
    "path sequences": lambda n: "ASK { ?s " + "/".join([_P] * n) + " ?o }",
    "path alternatives": lambda n: "ASK { ?s " + "|".join([_P] * n) + " ?o }",
    "triple patterns": lambda n: (
        "ASK { " + " ".join(f"?s{i} {_P} ?o{i} ." for i in range(n)) + " }"
    ),
    "object lists": lambda n: "ASK { ?s " + _P + " " + ", ".join(map(str, range(n))) + " }",
    "predicate lists": lambda n: "ASK { ?s " + "; ".join(f"{_P} ?o{i}" for i in range(n)) + " }",
    "OPTIONALs": lambda n: (
        "ASK { ?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s ?p ?o{i} }}" for i in range(n)) + " }"
    ),
    "MINUSes": lambda n: (
        "ASK { ?s ?p ?o " + " ".join(f"MINUS {{ ?s ?p ?o{i} }}" for i in range(n)) + " }"
    ),
    "BINDs": lambda n: "ASK { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }",
    "FILTERs": lambda n: (
        "ASK { ?s ?p ?o " + " ".join(f"FILTER(?o != {i})" for i in range(n)) + " }"
    ),
}


def deep(kind: str, n: int) -> str:
    return {**BRACKETED, **CHAINED}[kind](n)
