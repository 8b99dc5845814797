"""Real SPARQL clients against ``/sparql`` over HTTP: SPARQLWrapper in every result format,
rdflib's SPARQLStore, and raw requests for the protocol's three ways of sending a query."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph
import pytest
import rdflib
from pyoxigraph import QuerySolutions
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from graphsvc.store import OxigraphStore
from graphsvc.vocab import ID, PES

# rdflib's JSON-LD and RDF/XML parsing, which SPARQLWrapper calls, still builds a ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

NETWORKS = "SELECT DISTINCT ?network WHERE { ?network a pes:Network } ORDER BY ?network"
NETWORK_IRIS = [str(ID["network/eu-pes-network"]), str(ID["network/wapes"])]
CONSTRUCT_NETWORKS = (
    "CONSTRUCT { ?n a pes:Network ; skos:prefLabel ?label } "
    "WHERE { ?n a pes:Network ; skos:prefLabel ?label }"
)


def wrapper(url: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def expected_construct(store: OxigraphStore) -> rdflib.Graph:
    result = store.query(CONSTRUCT_NETWORKS, union_default_graph=True)
    data = pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    return rdflib.Graph().parse(data=data, format="nt")


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_json(sparql_url: str, method: str) -> None:
    result = wrapper(sparql_url, NETWORKS, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    rows = result.convert()["results"]["bindings"]  # type: ignore[index]
    assert [row["network"]["value"] for row in rows] == NETWORK_IRIS


def test_sparqlwrapper_select_xml(sparql_url: str) -> None:
    document = wrapper(sparql_url, NETWORKS, XML).query().convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert uris == NETWORK_IRIS


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(sparql_url: str, fmt: str, delimiter: str) -> None:
    body = wrapper(sparql_url, NETWORKS, fmt).query().convert()
    assert isinstance(body, bytes)
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    assert rows[0] == (["network"] if fmt == CSV else ["?network"])
    values = [row[0] for row in rows[1:]]
    assert values == (NETWORK_IRIS if fmt == CSV else [f"<{iri}>" for iri in NETWORK_IRIS])


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(sparql_url: str, fmt: str) -> None:
    yes = (
        wrapper(
            sparql_url, "ASK { <https://w3id.org/graphsvc/id/network/wapes> a pes:Network }", fmt
        )
        .query()
        .convert()
    )
    no = (
        wrapper(sparql_url, "ASK { <https://w3id.org/graphsvc/id/network/wapes> a pes:Theme }", fmt)
        .query()
        .convert()
    )
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)  # type: ignore[index]
    else:
        values = [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)]  # type: ignore[union-attr]
        assert values == ["true", "false"]


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        (TURTLE, "text/turtle"),
        (N3, "text/turtle"),
        (RDFXML, "application/rdf+xml"),
        (JSONLD, "application/ld+json"),
    ],
)
def test_sparqlwrapper_construct(
    sparql_url: str, seeded_store: OxigraphStore, fmt: str, media_type: str
) -> None:
    result = wrapper(sparql_url, CONSTRUCT_NETWORKS, fmt).query()
    assert result.response.headers["Content-Type"].startswith(media_type)
    graph = result.convert()
    if isinstance(graph, bytes):  # SPARQLWrapper leaves Turtle and N3 as text
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    assert isinstance(graph, rdflib.Graph)
    expected = expected_construct(seeded_store)
    assert len(expected) > 4
    assert isomorphic(graph, expected)


def test_sparqlwrapper_describe(sparql_url: str) -> None:
    graph = (
        wrapper(sparql_url, "DESCRIBE <https://w3id.org/graphsvc/id/practice/ohjaamo>", RDFXML)
        .query()
        .convert()
    )
    assert isinstance(graph, rdflib.Graph)
    practice = rdflib.URIRef(str(ID["practice/ohjaamo"]))
    assert (practice, rdflib.RDF.type, rdflib.URIRef(str(PES.GoodPractice))) in graph
    assert rdflib.Literal("Ohjaamo", lang="fi") in set(graph.objects(practice, None))


@pytest.mark.parametrize("request_method", [POST, URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_post_encodings(sparql_url: str, request_method: str) -> None:
    client = wrapper(sparql_url, NETWORKS, JSON, POST)
    if request_method != POST:
        client.setRequestMethod(request_method)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert [row["network"]["value"] for row in rows] == NETWORK_IRIS


def test_rdflib_sparqlstore(sparql_url: str, seeded_store: OxigraphStore) -> None:
    graph = rdflib.Graph(SPARQLStore(sparql_url, returnFormat="xml"))
    rows = list(
        graph.query(
            "SELECT ?title WHERE { ?p a pes:GoodPractice ; dct:title ?title "
            "FILTER(LANG(?title) = 'fi') }"
        )
    )
    titles = sorted(str(row[0]) for row in rows)  # type: ignore[index]
    expected = seeded_store.query(
        "SELECT ?title WHERE { ?p a pes:GoodPractice ; dct:title ?title "
        "FILTER(LANG(?title) = 'fi') }",
        union_default_graph=True,
    )
    assert isinstance(expected, QuerySolutions)
    assert titles == sorted(row["title"].value for row in expected)
    assert "Ohjaamo" in titles
    ask = graph.query(f"ASK {{ <{ID['network/wapes']}> a <{PES.Network}> }}")
    assert ask.askAnswer is True
    constructed = graph.query(CONSTRUCT_NETWORKS)
    assert isomorphic(
        rdflib.Graph().parse(data=constructed.serialize(format="nt"), format="nt"),
        expected_construct(seeded_store),
    )


def test_rdflib_sparqlstore_triples(sparql_url: str) -> None:
    graph = rdflib.Graph(SPARQLStore(sparql_url))
    practice = rdflib.URIRef(str(ID["practice/ohjaamo"]))
    labels = {str(o) for o in graph.objects(practice, rdflib.DCTERMS.title)}
    assert "Ohjaamo" in labels


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_protocol_operations(client: httpx.Client, how: str) -> None:
    headers = {"Accept": "application/sparql-results+json"}
    if how == "get":
        response = client.get("/sparql", params={"query": NETWORKS}, headers=headers)
    elif how == "form":
        response = client.post("/sparql", data={"query": NETWORKS}, headers=headers)
    else:
        headers["Content-Type"] = "application/sparql-query"
        response = client.post("/sparql", content=NETWORKS.encode(), headers=headers)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [row["network"]["value"] for row in rows] == NETWORK_IRIS


def test_construct_as_ntriples(client: httpx.Client, seeded_store: OxigraphStore) -> None:
    response = client.get(
        "/sparql", params={"query": CONSTRUCT_NETWORKS}, headers={"Accept": "application/n-triples"}
    )
    assert response.headers["content-type"].startswith("application/n-triples")
    graph = rdflib.Graph().parse(data=response.text, format="nt")
    assert isomorphic(graph, expected_construct(seeded_store))


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_when_accept_is_a_wildcard(
    client: httpx.Client, fmt: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": NETWORKS, "format": fmt})
    assert response.headers["content-type"].startswith(media_type)
    if fmt == "csv":  # lossy: pyoxigraph does not parse it back
        assert response.text.split() == ["network", *NETWORK_IRIS]
        return
    parsed = pyoxigraph.parse_query_results(
        response.content, pyoxigraph.QueryResultsFormat.from_media_type(media_type)
    )
    assert isinstance(parsed, QuerySolutions)
    assert [row["network"].value for row in parsed] == NETWORK_IRIS


def test_accept_beats_format_parameter(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": NETWORKS, "format": "csv"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    response = client.get(
        "/sparql",
        params={"query": NETWORKS, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_default_and_named_graph_uri(client: httpx.Client, seeded_store: OxigraphStore) -> None:
    source_004 = "https://w3id.org/graphsvc/graph/source/004"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = client.get(
        "/sparql",
        params={"query": count, "default-graph-uri": source_004},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    only_004 = int(response.json()["results"]["bindings"][0]["n"]["value"])
    expected = seeded_store.query(count, default_graph=[pyoxigraph.NamedNode(source_004)])
    assert isinstance(expected, QuerySolutions)
    assert only_004 == int(next(iter(expected))["n"].value)
    everything = client.get(
        "/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"}
    ).json()
    assert int(everything["results"]["bindings"][0]["n"]["value"]) > only_004

    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post(
        "/sparql",
        data={"query": graphs, "named-graph-uri": [source_004]},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert [row["g"]["value"] for row in response.json()["results"]["bindings"]] == [source_004]


def test_from_clause_selects_a_graph(client: httpx.Client) -> None:
    query = (
        "SELECT DISTINCT ?network FROM <https://w3id.org/graphsvc/graph/source/000> "
        "WHERE { ?network a pes:Network }"
    )
    response = client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [row["network"]["value"] for row in rows] == [str(ID["network/wapes"])]


@pytest.mark.parametrize(
    ("accept", "fmt", "media_type"),
    [
        (None, None, "text/turtle"),
        ("text/turtle", None, "text/turtle"),
        ("application/ld+json", None, "application/ld+json"),
        (None, "jsonld", "application/ld+json"),
    ],
)
def test_service_description(
    client: httpx.Client, accept: str | None, fmt: str | None, media_type: str
) -> None:
    response = client.get(
        "/sparql",
        params={"format": fmt} if fmt else {},
        headers={"Accept": accept} if accept else {},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = rdflib.Graph().parse(
        data=response.text, format="json-ld" if "json" in media_type else "turtle"
    )
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(str(client.base_url).rstrip("/") + "/sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    formats = set(graph.objects(endpoint, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    named = set(graph.objects(None, sd.name))
    assert rdflib.URIRef("https://w3id.org/graphsvc/graph/source/004") in named


def test_service_page_for_browsers(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.headers["content-type"].startswith("text/html")
    assert "<form" in response.text and 'name="query"' in response.text


def test_json_results_keep_terms(client: httpx.Client) -> None:
    query = (
        "SELECT ?title ?date WHERE { <https://w3id.org/graphsvc/id/practice/ohjaamo> dct:title ?title ; dct:date ?date "
        "FILTER(LANG(?title) = 'fi') }"
    )
    body = json.loads(client.get("/sparql", params={"query": query, "format": "json"}).text)
    row = body["results"]["bindings"][0]
    assert row["title"] == {"type": "literal", "value": "Ohjaamo", "xml:lang": "fi"}
    assert row["date"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"
    assert row["date"]["value"] == "2014"
