"""Namespaces and IRI minting in ``graphsvc.vocab``."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import DefinedNamespace

from graphsvc.store.validation import ontology_graph
from graphsvc.vocab import CV, ORG, PES, RDF, entity_iri, graph_iri, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Arbetsförmedlingen", "arbetsformedlingen"),
        ("Pôle emploi", "pole-emploi"),
        ("  Youth  Guarantee! ", "youth-guarantee"),
        ("İŞKUR", "iskur"),
        ("Úřad práce ČR", "urad-prace-cr"),
        ("PES 4.0 Task Force", "pes-4-0-task-force"),
        ("already-a-slug", "already-a-slug"),
        ("--Ohjaamo--", "ohjaamo"),
    ],
)
def test_slugify_makes_lower_case_ascii_slugs(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("text", ["", "   ", "---", "!?", "日本"])
def test_slugify_refuses_text_without_letters_or_digits(text: str) -> None:
    with pytest.raises(ValueError, match="no letters or digits") as info:
        slugify(text)
    assert repr(text) in str(info.value)


def test_entity_iri_mints_under_the_id_namespace() -> None:
    assert entity_iri("practice", "Ohjaamo") == URIRef(
        "https://w3id.org/graphsvc/id/practice/ohjaamo"
    )
    assert entity_iri("pes", "SWE Arbetsförmedlingen") == URIRef(
        "https://w3id.org/graphsvc/id/pes/swe-arbetsformedlingen"
    )


def test_entity_iri_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        entity_iri("practice", "  ")


def test_graph_iri() -> None:
    assert graph_iri("ontology") == URIRef("https://w3id.org/graphsvc/graph/ontology")
    assert graph_iri("source/004") == URIRef("https://w3id.org/graphsvc/graph/source/004")


def test_defined_namespaces_refuse_unknown_terms() -> None:
    assert PES.GoodPractice == URIRef("https://w3id.org/graphsvc/ontology#GoodPractice")
    with pytest.raises(AttributeError):
        _ = PES.GoodPractise


def _terms(namespace: type[DefinedNamespace]) -> list[str]:
    return sorted(name for name in namespace.__annotations__ if not name.startswith("_"))


@pytest.mark.parametrize("namespace", [PES, ORG, CV], ids=["pes", "org", "cv"])
def test_every_namespace_term_is_declared_in_the_ontology(
    namespace: type[DefinedNamespace],
) -> None:
    graph = ontology_graph()
    undeclared = [t for t in _terms(namespace) if (namespace[t], RDF.type, None) not in graph]
    assert undeclared == []
