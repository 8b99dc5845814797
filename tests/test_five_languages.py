"""Five languages for every concept, and a country for every PES.

English, French and Spanish are the working languages of WAPES, Swedish is the language of a source
document and German the largest language of the European PES Network: every concept of every SKOS
scheme of the ontology (themes, target groups, regions, event types, activity formats, roles and
countries) has exactly one skos:prefLabel and at least one skos:definition in each of them. Every
public employment service of the seed data has a country of the country scheme, so that its name
can be shown in the five languages too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graphsvc.settings import PROJECT_ROOT
from graphsvc.store.validation import ontology_files, ontology_graph

LANGUAGES = ("en", "fr", "es", "sv", "de")
SEEDS = PROJECT_ROOT / "seeds"
PES = "https://w3id.org/graphsvc/ontology#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    """Every seed graph and the ontology, queried as one union graph."""
    store = ox.Store()
    for path in sorted(SEEDS.glob("*.trig")):
        store.load(path=path, format=ox.RdfFormat.TRIG)
    for path in ontology_files():
        store.load(
            path=path,
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode("https://w3id.org/graphsvc/graph/ontology"),
        )
    yield store


def _concepts(graph: Graph) -> set[URIRef]:
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    return {
        c for c, s in graph.subject_objects(SKOS.inScheme) if s in schemes and isinstance(c, URIRef)
    }


def _by_language(graph: Graph, concept: URIRef, predicate: URIRef) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in graph.objects(concept, predicate):
        if isinstance(value, Literal) and value.language and str(value).strip():
            counts[value.language] = counts.get(value.language, 0) + 1
    return counts


def test_every_scheme_has_concepts(ontology: Graph) -> None:
    schemes = {str(s) for s in ontology.subjects(RDF.type, SKOS.ConceptScheme)}
    assert {
        PES + name
        for name in (
            "themeScheme",
            "targetGroupScheme",
            "regionScheme",
            "eventTypeScheme",
            "activityFormatScheme",
            "roleScheme",
            "countryScheme",
        )
    } <= schemes
    in_scheme = {str(s) for _c, s in ontology.subject_objects(SKOS.inScheme)}
    assert schemes <= in_scheme


def test_every_concept_has_one_label_and_a_definition_in_five_languages(ontology: Graph) -> None:
    problems = []
    for concept in sorted(_concepts(ontology)):
        labels = _by_language(ontology, concept, SKOS.prefLabel)
        definitions = _by_language(ontology, concept, SKOS.definition)
        for language in LANGUAGES:
            if labels.get(language) != 1:
                problems.append(f"{concept}: {labels.get(language, 0)} prefLabel@{language}")
            if not definitions.get(language):
                problems.append(f"{concept}: no definition@{language}")
    assert problems == []


def test_every_scheme_is_named_in_five_languages(ontology: Graph) -> None:
    for scheme in ontology.subjects(RDF.type, SKOS.ConceptScheme):
        assert isinstance(scheme, URIRef)
        labels = _by_language(ontology, scheme, SKOS.prefLabel)
        assert {language: labels.get(language) for language in LANGUAGES} == dict.fromkeys(
            LANGUAGES, 1
        ), scheme


def test_every_pes_has_a_country_of_the_scheme(store: ox.Store) -> None:
    result = store.query(
        """PREFIX pes: <https://w3id.org/graphsvc/ontology#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?pes WHERE {
            ?pes a pes:PublicEmploymentService .
            FILTER NOT EXISTS { ?pes dct:spatial ?country . ?country a pes:Country }
        }""",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [s["pes"].value for s in result] == []


def test_every_country_used_in_the_data_is_named_in_five_languages(
    store: ox.Store, ontology: Graph
) -> None:
    result = store.query(
        f"""SELECT DISTINCT ?country WHERE {{
            ?s ?p ?country . FILTER(STRSTARTS(STR(?country), "{COUNTRY}")) }}""",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    used = {URIRef(s["country"].value) for s in result}
    assert used, "the data names countries"
    problems = []
    for country in sorted(used):
        labels = _by_language(ontology, country, SKOS.prefLabel)
        missing = [language for language in LANGUAGES if labels.get(language) != 1]
        if missing:
            problems.append(f"{country}: no single prefLabel in {missing}")
    assert problems == []
