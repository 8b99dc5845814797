"""The remote store over a real Virtuoso: what the service needs of a store, engine quirks hidden."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, QueryBoolean

from graphsvc.store import RemoteSparqlStore
from graphsvc.store.base import Changeset
from graphsvc.store.remote import VIRTUOSO_SYSTEM_GRAPHS

from .servers import VirtuosoServer

G = NamedNode("https://w3id.org/graphsvc/graph/test")
S, P = NamedNode("https://example.org/s"), NamedNode("https://example.org/p")
XSD = "http://www.w3.org/2001/XMLSchema#"
VALUES = [
    Literal('plain "quoted"\nline'),
    Literal("Arbeitsagentur", language="de"),
    Literal("2026-05-04T10:00:00Z", datatype=NamedNode(f"{XSD}dateTime")),
    Literal("2024", datatype=NamedNode(f"{XSD}gYear")),
    Literal("42", datatype=NamedNode(f"{XSD}integer")),
    NamedNode("https://example.org/o"),
]


@pytest.fixture
def store(virtuoso_server: VirtuosoServer) -> Iterator[RemoteSparqlStore]:
    virtuoso_server.clear()
    store = virtuoso_server.store()
    yield store
    store.close()
    virtuoso_server.clear()


def test_the_engine_is_recognised(store: RemoteSparqlStore) -> None:
    assert store.engine == "virtuoso"


def test_terms_round_trip_and_system_graphs_stay_out(store: RemoteSparqlStore) -> None:
    assert store.is_empty() and store.named_graphs() == []
    store.apply(Changeset(add=[Quad(S, P, v, G) for v in VALUES]))
    assert {q.object for q in store.quads(S, P, None, G)} == set(VALUES)
    assert store.named_graphs() == [G]
    assert all(q.graph_name == G for q in store.quads())
    assert not any(g.value in VIRTUOSO_SYSTEM_GRAPHS for g in store.named_graphs())
    assert list(store.quads(graph=DefaultGraph())) == []


def test_ask_answers_a_boolean(store: RemoteSparqlStore) -> None:
    store.apply(Changeset(add=[Quad(S, P, VALUES[0], G)]))
    yes = store.query(f"ASK {{ GRAPH ?g {{ {S} {P} ?o }} }}")
    no = store.query(f"ASK {{ GRAPH ?g {{ {P} {S} ?o }} }}")
    assert isinstance(yes, QueryBoolean) and bool(yes)
    assert isinstance(no, QueryBoolean) and not bool(no)


def test_blank_nodes_are_written_and_read(store: RemoteSparqlStore) -> None:
    store.apply(Changeset(add=[Quad(S, P, BlankNode(), G), Quad(S, P, VALUES[1], G)]))
    objects = [q.object for q in store.quads(S, P, None, G)]
    assert sum(isinstance(o, BlankNode) for o in objects) == 1 and VALUES[1] in objects


def test_a_change_replaces_in_one_operation(store: RemoteSparqlStore) -> None:
    store.apply(Changeset(add=[Quad(S, P, v, G) for v in VALUES]))
    store.apply(Changeset(remove=[Quad(S, P, VALUES[2], G)], add=[Quad(S, P, Literal("new"), G)]))
    assert {q.object for q in store.quads(S, P, None, G)} == {
        *VALUES[:2],
        *VALUES[3:],
        Literal("new"),
    }


def test_a_large_insert_goes_in_bounded_operations(store: RemoteSparqlStore) -> None:
    many = [
        Quad(NamedNode(f"https://example.org/n{i}"), P, Literal(str(i)), G) for i in range(1500)
    ]
    store.apply(Changeset(add=many))
    assert len(list(store.quads(None, P, None, G))) == 1500
    store.replace_graph(G, many[:10])
    assert len(list(store.quads(None, P, None, G))) == 10


def test_bindings_reach_the_pattern(store: RemoteSparqlStore) -> None:
    store.apply(Changeset(add=[Quad(S, P, v, G) for v in VALUES]))
    rows = store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"s": S, "p": P})
    assert {row["o"] for row in rows} == set(VALUES)  # type: ignore[union-attr]
