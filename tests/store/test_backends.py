"""The GraphStore contract, run against every backend (memory, on-disk Oxigraph, remote SPARQL)."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
)

from graphsvc.errors import StoreError
from graphsvc.store import Changeset, GraphStore
from graphsvc.store.formats import FORMATS
from graphsvc.store.loading import parse_file

EX = "https://example.org/"
G_A = NamedNode(EX + "graph/a")
G_B = NamedNode(EX + "graph/b")
G_NEW = NamedNode(EX + "graph/new")
P = NamedNode(EX + "p")
LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
HOSTILE = 'x" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "pwned" } #\n\\ \'\'\' """'


def ex(name: str) -> NamedNode:
    return NamedNode(EX + name)


def canonical(quads: object) -> Dataset:
    dataset = Dataset(quads)  # type: ignore[arg-type]
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def all_quads(store: GraphStore) -> Dataset:
    return canonical(store.quads())


def solutions(result: object) -> list[dict[str, object]]:
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{name: row[name] for name in names} for row in result]


@pytest.fixture
def sample(fixtures_dir: Path) -> list[Quad]:
    return parse_file(fixtures_dir / "sample.trig")


@pytest.fixture
def loaded(any_store: GraphStore, sample: list[Quad]) -> GraphStore:
    any_store.add(sample)
    return any_store


def test_a_new_store_is_empty(any_store: GraphStore) -> None:
    assert any_store.is_empty()
    assert any_store.named_graphs() == []
    assert list(any_store.quads()) == []


def test_add_then_read_back_every_quad(loaded: GraphStore, sample: list[Quad]) -> None:
    assert all_quads(loaded) == canonical(sample)
    assert not loaded.is_empty()


def test_named_graphs_lists_graphs_with_quads(loaded: GraphStore) -> None:
    assert sorted(g.value for g in loaded.named_graphs()) == [G_A.value, G_B.value]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"subject": NamedNode(EX + "beta")}, 2),
        ({"predicate": LABEL}, 3),
        ({"obj": Literal("Alfa", language="sv")}, 1),
        ({"graph": G_A}, 8),
        ({"graph": DefaultGraph()}, 1),
        ({"subject": NamedNode(EX + "alpha"), "graph": G_B}, 0),
        ({"predicate": LABEL, "graph": G_A}, 3),
    ],
)
def test_quads_matches_patterns(
    loaded: GraphStore, pattern: dict[str, object], expected: int
) -> None:
    found = list(loaded.quads(**pattern))  # type: ignore[arg-type]
    assert len(found) == expected
    for quad in found:
        for key, term in pattern.items():
            attr = {"subject": "subject", "predicate": "predicate", "obj": "object"}.get(key)
            assert (quad.graph_name if key == "graph" else getattr(quad, attr or "")) == term


def test_apply_removes_then_adds_in_one_changeset(loaded: GraphStore) -> None:
    old = Quad(ex("beta"), LABEL, Literal("Beta", language="en"), G_A)
    new = Quad(ex("beta"), LABEL, Literal("Bêta", language="en"), G_A)
    loaded.apply(Changeset(remove=[old], add=[new]))
    labels = [q.object for q in loaded.quads(ex("beta"), LABEL)]
    assert labels == [Literal("Bêta", language="en")]


def test_apply_same_quad_removed_and_added_stays(any_store: GraphStore) -> None:
    quad = Quad(ex("s"), P, Literal("v"), G_A)
    any_store.add([quad])
    any_store.apply(Changeset(remove=[quad], add=[quad]))
    assert list(any_store.quads()) == [quad]


def test_an_empty_changeset_is_a_no_op(loaded: GraphStore) -> None:
    before = all_quads(loaded)
    loaded.apply(Changeset())
    assert not Changeset()
    assert all_quads(loaded) == before


def test_removing_an_absent_quad_is_harmless(loaded: GraphStore) -> None:
    before = all_quads(loaded)
    loaded.apply(Changeset(remove=[Quad(ex("nobody"), P, Literal("x"), G_A)]))
    assert all_quads(loaded) == before


def test_a_changeset_that_cannot_be_written_writes_nothing(loaded: GraphStore) -> None:
    before = all_quads(loaded)
    # removing a blank-node quad by value is refused: neither half of the changeset may land
    bnode_quad = next(q for q in loaded.quads(graph=G_B) if isinstance(q.subject, BlankNode))
    with pytest.raises((StoreError, ValueError)):
        loaded.apply(Changeset(remove=[bnode_quad], add=[Quad(ex("new"), P, Literal("n"), G_NEW)]))
    assert all_quads(loaded) == before


def test_hostile_literals_round_trip_and_cannot_inject(any_store: GraphStore) -> None:
    quad = Quad(ex("s"), P, Literal(HOSTILE), G_A)
    any_store.add([quad])
    any_store.apply(Changeset(remove=[quad], add=[Quad(ex("s2"), P, Literal(HOSTILE), G_A)]))
    assert list(any_store.quads()) == [Quad(ex("s2"), P, Literal(HOSTILE), G_A)]
    assert list(any_store.quads(obj=Literal("pwned"))) == []


def test_replace_graph_swaps_content_and_leaves_other_graphs(loaded: GraphStore) -> None:
    other = all_quads_of(loaded, G_B)
    loaded.replace_graph(G_A, [Quad(ex("only"), P, Literal("one"))])
    assert list(loaded.quads(graph=G_A)) == [Quad(ex("only"), P, Literal("one"), G_A)]
    assert all_quads_of(loaded, G_B) == other
    assert len(list(loaded.quads(graph=DefaultGraph()))) == 1


def test_replace_graph_with_nothing_empties_it(loaded: GraphStore) -> None:
    loaded.replace_graph(G_A, [])
    assert list(loaded.quads(graph=G_A)) == []
    assert [g.value for g in loaded.named_graphs()] == [G_B.value]


def test_replace_graph_creates_a_new_graph(loaded: GraphStore) -> None:
    loaded.replace_graph(G_NEW, [Quad(ex("n"), P, Literal("1"), G_A)])
    # the graph a quad came from does not matter: replace_graph puts it in the target graph
    assert list(loaded.quads(graph=G_NEW)) == [Quad(ex("n"), P, Literal("1"), G_NEW)]
    assert len(list(loaded.quads(graph=G_A))) == 8


def all_quads_of(store: GraphStore, graph: NamedNode) -> Dataset:
    return canonical(store.quads(graph=graph))


# --- queries and bindings ----------------------------------------------------------------------


def test_select_with_default_prefixes(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?s ?l WHERE { GRAPH ?g { ?s skos:prefLabel ?l FILTER(lang(?l) = 'en') } } "
            "ORDER BY ?l"
        )
    )
    assert [(r["s"], r["l"]) for r in rows] == [
        (ex("alpha"), Literal("Alpha", language="en")),
        (ex("beta"), Literal("Beta", language="en")),
    ]


def test_ask_and_construct(loaded: GraphStore) -> None:
    ask = loaded.query("ASK { GRAPH ?g { ?s a <https://example.org/Thing> } }")
    assert isinstance(ask, QueryBoolean)
    assert bool(ask)
    triples = list(
        loaded.query("CONSTRUCT { ?s <urn:named> ?l } WHERE { GRAPH ?g { ?s skos:prefLabel ?l } }")  # type: ignore[arg-type]
    )
    assert len(triples) == 3


def test_a_bound_variable_filters_results(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?s ?l WHERE { GRAPH ?g { ?s skos:prefLabel ?l } }",
            bindings={"s": ex("beta")},
        )
    )
    assert rows == [{"s": ex("beta"), "l": Literal("Beta", language="en")}]


def test_a_bound_variable_need_not_be_projected(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?l WHERE { GRAPH ?g { ?s skos:prefLabel ?l } } ORDER BY ?l",
            bindings={"s": ex("alpha")},
        )
    )
    assert [r["l"] for r in rows] == [
        Literal("Alfa", language="sv"),
        Literal("Alpha", language="en"),
    ]


def test_a_bound_variable_applies_before_aggregation(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s skos:prefLabel ?l } }",
            bindings={"s": ex("alpha")},
        )
    )
    assert rows == [{"n": Literal(2)}]


def test_a_bound_variable_is_visible_in_filters(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?s WHERE { GRAPH ?g { ?s skos:prefLabel ?l } "
            "FILTER(CONTAINS(LCASE(STR(?l)), ?term)) }",
            bindings={"$term": Literal("alf")},
        )
    )
    assert rows == [{"s": ex("alpha")}]


def test_bindings_work_with_a_subselect(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?s ?n WHERE { { SELECT ?s (COUNT(?l) AS ?n) "
            "WHERE { GRAPH ?g { ?s skos:prefLabel ?l } } GROUP BY ?s } }",
            bindings={"s": ex("alpha")},
        )
    )
    assert rows == [{"s": ex("alpha"), "n": Literal(2)}]


def test_bindings_in_ask(loaded: GraphStore) -> None:
    sparql = "ASK { GRAPH ?g { ?s skos:prefLabel ?l } }"
    assert bool(loaded.query(sparql, bindings={"l": Literal("Alfa", language="sv")}))
    assert not bool(loaded.query(sparql, bindings={"l": Literal("Alfa", language="en")}))


def test_bindings_in_construct(loaded: GraphStore) -> None:
    triples = list(
        loaded.query(  # type: ignore[arg-type]
            "CONSTRUCT { ?s <urn:label> ?l } WHERE { GRAPH ?g { ?s skos:prefLabel ?l } }",
            bindings={"s": ex("beta")},
        )
    )
    assert [(t.subject, t.object) for t in triples] == [
        (ex("beta"), Literal("Beta", language="en"))
    ]


def test_hostile_binding_is_matched_as_a_value(loaded: GraphStore) -> None:
    loaded.add([Quad(ex("h"), P, Literal(HOSTILE), G_A)])
    before = all_quads(loaded)
    rows = solutions(
        loaded.query(
            "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
            bindings={"o": Literal(HOSTILE)},
        )
    )
    assert rows == [{"s": ex("h")}]
    assert all_quads(loaded) == before


@pytest.mark.parametrize("name", ["s) } } ; DROP ALL ; #", "s ?o", "", "?", "s}", "1 2", "s\n"])
def test_a_bad_variable_name_is_refused(loaded: GraphStore, name: str) -> None:
    before = all_quads(loaded)
    with pytest.raises((StoreError, ValueError)):
        loaded.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={name: ex("x")})
    assert all_quads(loaded) == before


def test_query_keywords_inside_strings_and_iris_do_not_confuse_bindings(
    loaded: GraphStore,
) -> None:
    loaded.add([Quad(ex("w"), NamedNode("urn:where"), Literal("WHERE { x }"), G_A)])
    rows = solutions(
        loaded.query(
            "# a comment with WHERE { in it\n"
            "SELECT ?s (\"WHERE {\" AS ?x) WHERE { GRAPH ?g { ?s <urn:where> 'WHERE { x }' } }",
            bindings={"s": ex("w")},
        )
    )
    assert rows == [{"s": ex("w"), "x": Literal("WHERE {")}]


def test_union_default_graph(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query(
            "SELECT ?s WHERE { ?s a <https://example.org/Thing> } ORDER BY ?s",
            union_default_graph=True,
        )
    )
    assert [r["s"] for r in rows] == [ex("alpha"), ex("beta")]
    plain = solutions(loaded.query("SELECT ?s WHERE { ?s a <https://example.org/Thing> }"))
    assert plain == []


def test_default_graph_and_named_graphs_arguments(loaded: GraphStore) -> None:
    rows = solutions(
        loaded.query("SELECT ?l WHERE { ?s skos:prefLabel ?l } ORDER BY ?l", default_graph=[G_A])
    )
    assert len(rows) == 3
    named = solutions(
        loaded.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G_B])
    )
    assert named == [{"g": G_B}]


def test_a_syntax_error_in_a_query_raises_a_clear_error(loaded: GraphStore) -> None:
    with pytest.raises((StoreError, SyntaxError)) as info:
        loaded.query("SELECT ?s WHERE { ?s ?p }")
    assert "SELECT" not in type(info.value).__name__  # a real error type, not a crash
    assert str(info.value)


# --- dump ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_dump_every_format_parses(loaded: GraphStore, sample: list[Quad], name: str) -> None:
    fmt = FORMATS[name]
    output = io.BytesIO()
    loaded.dump(output, fmt.media_type)
    parsed = list(pyoxigraph.parse(output.getvalue(), fmt.rdf_format))
    if fmt.supports_datasets:
        assert canonical(parsed) == canonical(sample)
    else:
        # a triple format merges every graph into one
        assert canonical(parsed) == canonical(
            Quad(q.subject, q.predicate, q.object) for q in sample
        )


@pytest.mark.parametrize("name", ["nq", "trig", "ttl", "nt"])
def test_dump_one_graph(loaded: GraphStore, name: str) -> None:
    fmt = FORMATS[name]
    output = io.BytesIO()
    loaded.dump(output, fmt.media_type, G_A)
    parsed = list(pyoxigraph.parse(output.getvalue(), fmt.rdf_format))
    expected = list(loaded.quads(graph=G_A))
    assert len(parsed) == len(expected) == 8
    if fmt.supports_datasets:
        # a dataset format keeps the graph name, so reloading the dump restores the graph
        assert {q.graph_name for q in parsed} == {G_A}
    else:
        assert {q.graph_name for q in parsed} == {DefaultGraph()}


def test_dump_refuses_an_unknown_media_type(loaded: GraphStore) -> None:
    with pytest.raises(StoreError, match="application/x-unknown"):
        loaded.dump(io.BytesIO(), "application/x-unknown")


def test_dump_then_load_into_a_fresh_store_is_isomorphic(
    loaded: GraphStore, memory_store: GraphStore
) -> None:
    output = io.BytesIO()
    loaded.dump(output, "application/n-quads")
    memory_store.add(pyoxigraph.parse(output.getvalue(), RdfFormat.N_QUADS))
    assert all_quads(memory_store) == all_quads(loaded)


def test_close_twice_is_harmless(any_store: GraphStore) -> None:
    any_store.close()
    any_store.close()
