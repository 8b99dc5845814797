"""A mutation validates the changed practice with only the types of what it points to and the
class hierarchy; on the practice and its change record that verdict is the one a validation
against the whole ontology gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from graphsvc.edit.practices import class_hierarchy
from graphsvc.store.validation import Violation, ontology_graph, validate

SHAPES = Path(__file__).parent.parent / "fixtures" / "shapes"
FIXTURES = ["practice-valid", "practice-invalid", "change-record-valid", "change-record-invalid"]


def seen(v: Violation) -> tuple[str | None, ...]:
    """What a user is told: the node, the path, the message, the value and the severity."""
    return (v.focus_node, v.path, v.message, v.value, v.severity)


@pytest.mark.parametrize("name", FIXTURES)
def test_the_small_graph_gives_the_verdict_of_the_whole_ontology(name: str) -> None:
    data = Graph().parse(SHAPES / f"{name}.ttl", format="turtle")
    described = {s for s in data.subjects() if isinstance(s, URIRef)}
    everything = data + ontology_graph()
    small = Graph()
    for triple in data:
        small.add(triple)
    for target in {o for o in data.objects() if isinstance(o, URIRef)}:
        for kind in everything.objects(target, RDF.type):
            small.add((target, RDF.type, kind))

    full = {seen(v) for v in validate(data).violations if URIRef(v.focus_node) in described}
    quick = validate(small, ontology=class_hierarchy()).violations
    assert {seen(v) for v in quick if URIRef(v.focus_node) in described} == full
    assert bool(full) == name.endswith("-invalid")


def test_the_hierarchy_holds_only_subclass_links() -> None:
    hierarchy = class_hierarchy()
    assert len(hierarchy) > 10
    assert {p for _s, p, _o in hierarchy} == {
        URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    }
