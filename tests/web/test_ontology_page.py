"""``/ontology`` by content negotiation: pyLODE's HTML documentation for browsers, the ontology
document in Turtle, JSON-LD and the other RDF formats for everyone else."""

from __future__ import annotations

import re

import httpx
import pytest
import rdflib

from graphsvc.vocab import DCTERMS, OWL, PES, SKOS

# rdflib's JSON-LD parser still builds a ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ONTOLOGY = rdflib.URIRef("https://w3id.org/graphsvc/ontology")
PROJECT = rdflib.URIRef("https://w3id.org/graphsvc/id/agent/graphsvc")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def header_of(graph: rdflib.Graph) -> dict[str, set[str]]:
    return {
        name: {str(o) for o in graph.objects(ONTOLOGY, predicate)}
        for name, predicate in {
            "versionIRI": OWL.versionIRI,
            "versionInfo": OWL.versionInfo,
            "license": DCTERMS.license,
            "creator": DCTERMS.creator,
            "changeNote": SKOS.changeNote,
        }.items()
    }


def test_browsers_get_the_html_documentation(client: httpx.Client) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    page = response.text
    assert "<title>graphsvc ontology of public employment services</title>" in page
    assert "pyLODE" in page
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    # the fragment of a term's IRI is its entry, so a pes: IRI opened in a browser lands on it
    assert {"GoodPractice", "Network", "themeScheme", "regionScheme"} <= ids
    assert "theme/youth-guarantee" in ids
    assert "0.1.0" in page and "Change log" in page


def test_html_is_conditional(client: httpx.Client) -> None:
    first = client.get("/ontology", headers={"Accept": BROWSER})
    again = client.get(
        "/ontology", headers={"Accept": BROWSER, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        (None, "turtle"),  # curl and scripts: Turtle by default
        ("*/*", "turtle"),
    ],
)
def test_other_clients_get_rdf(client: httpx.Client, accept: str | None, fmt: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/ontology", headers=headers)
    assert response.status_code == 200, response.text
    assert not response.headers["content-type"].startswith("text/html")
    graph = rdflib.Graph().parse(data=response.text, format=fmt)
    assert (ONTOLOGY, rdflib.RDF.type, OWL.Ontology) in graph
    assert (rdflib.URIRef(str(PES.GoodPractice)), rdflib.RDF.type, OWL.Class) in graph
    header = header_of(graph)
    assert header["versionIRI"] == {"https://w3id.org/graphsvc/ontology/0.1.0"}
    assert header["versionInfo"] == {"0.1.0"}
    assert header["license"] == {"https://creativecommons.org/licenses/by/4.0/"}
    assert header["creator"] == {str(PROJECT)}
    assert len(header["changeNote"]) >= 2


def test_html_by_format_parameter(client: httpx.Client) -> None:
    response = client.get("/ontology", params={"format": "html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_the_creator_is_the_project(client: httpx.Client) -> None:
    response = client.get("/id/agent/graphsvc", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (PROJECT, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/prov#Agent")) in graph
    assert (ONTOLOGY, DCTERMS.creator, PROJECT) in graph  # linked from the ontology


def test_the_version_iri_dereferences(client: httpx.Client) -> None:
    current = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert current.status_code == 200, current.text
    graph = rdflib.Graph().parse(data=current.text, format="turtle")
    version = rdflib.URIRef("https://w3id.org/graphsvc/ontology/0.1.0")
    assert (ONTOLOGY, OWL.versionIRI, version) in graph
    page = client.get("/ontology/0.1.0", headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="GoodPractice"' in page.text


def test_an_unknown_version_is_not_found(client: httpx.Client) -> None:
    response = client.get("/ontology/0.0.1", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "<https://w3id.org/graphsvc/ontology/0.0.1> is not a version" in response.text
    assert "<https://w3id.org/graphsvc/ontology/0.1.0>" in response.text


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [("gzip, deflate, br", "gzip"), ("identity", None), ("gzip;q=0, identity", None)],
)
def test_html_is_compressed_when_the_client_accepts_it(
    client: httpx.Client, accept_encoding: str, encoding: str | None
) -> None:
    headers = {"Accept": BROWSER, "Accept-Encoding": accept_encoding}
    response = client.get("/ontology", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert 'id="GoodPractice"' in response.text  # httpx decodes gzip
    if encoding:
        assert int(response.headers["content-length"]) < len(response.content) / 5


def test_compressed_and_plain_pages_have_their_own_etags(client: httpx.Client) -> None:
    gzipped = client.get("/ontology", headers={"Accept": BROWSER, "Accept-Encoding": "gzip"})
    plain = client.get("/ontology", headers={"Accept": BROWSER, "Accept-Encoding": "identity"})
    assert gzipped.headers["ETag"] != plain.headers["ETag"]
