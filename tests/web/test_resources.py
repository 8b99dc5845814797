"""Dereferenceable IRIs: an entity in every format, the ontology, VoID/DCAT, the JSON-LD context
and graph IRIs; conditional requests and errors."""

from __future__ import annotations

import json

import httpx
import pyoxigraph
import pytest
import rdflib
from pyoxigraph import NamedNode, RdfFormat, Triple
from rdflib.compare import isomorphic

from graphsvc.store import OxigraphStore
from graphsvc.vocab import DCAT, DCTERMS, ID, PES, VOID
from graphsvc.web.jsonld import TERMS

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

OHJAAMO = str(ID["practice/ohjaamo"])
ATTRIBUTED = NamedNode("http://www.w3.org/ns/prov#wasAttributedTo")
PATH = "/id/practice/ohjaamo"
MEDIA = {
    "ttl": ("text/turtle", RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    "nt": ("application/n-triples", RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", RdfFormat.RDF_XML),
}


def outgoing(store: OxigraphStore, iri: str) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in store.quads(subject=NamedNode(iri))}


def triples_of(body: bytes, fmt: RdfFormat) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(body, fmt)}


@pytest.mark.parametrize("name", sorted(MEDIA))
@pytest.mark.parametrize("how", ["accept", "format"])
def test_entity_in_every_rdf_format(
    client: httpx.Client, seeded_store: OxigraphStore, name: str, how: str
) -> None:
    media_type, fmt = MEDIA[name]
    if how == "accept":
        response = client.get(PATH, headers={"Accept": media_type})
    else:
        response = client.get(PATH, params={"format": name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["Vary"]
    got = triples_of(response.content, fmt)
    expected = outgoing(seeded_store, OHJAAMO)
    assert len(expected) >= 10
    assert expected <= got  # plus the links pointing at it


def attributed_pes(store: OxigraphStore, iri: str) -> list[str]:
    """The PES a practice is attributed to in the seeds, whichever they are."""
    quads = store.quads(subject=NamedNode(iri), predicate=ATTRIBUTED)
    return sorted(q.object.value for q in quads if isinstance(q.object, NamedNode))


def test_entity_links_from_other_resources(
    client: httpx.Client, seeded_store: OxigraphStore
) -> None:
    # the PES that runs Ohjaamo is linked from the practice
    pes = attributed_pes(seeded_store, OHJAAMO)
    assert pes
    for iri in pes:
        path = "/id/" + iri.removeprefix(str(ID))
        response = client.get(path, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, path
        got = triples_of(response.content, RdfFormat.N_TRIPLES)
        assert Triple(NamedNode(OHJAAMO), ATTRIBUTED, NamedNode(iri)) in got


def test_entity_html_page(client: httpx.Client) -> None:
    response = client.get(PATH, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>Ohjaamo one-stop guidance centres for young people</title>" in page
    assert 'Ohjaamo<span class="lang">@fi</span>' in page
    # links to other entities point at their pages here, labelled
    base = str(client.base_url).rstrip("/")
    assert f'href="{base}/id/theme/youth-guarantee"' in page
    assert ">Youth Guarantee</a>" in page
    assert 'rel="alternate" type="text/turtle"' in page


def test_json_ld_uses_the_graphql_names(client: httpx.Client, seeded_store: OxigraphStore) -> None:
    response = client.get(PATH, headers={"Accept": "application/ld+json"})
    document = json.loads(response.text)
    node = next(n for n in document["@graph"] if n["iri"] == OHJAAMO)
    assert {
        "title",
        "abstract",
        "themes",
        "targetGroups",
        "country",
        "pes",
        "year",
        "sources",
    } <= set(node)
    assert str(ID["theme/youth-guarantee"]) in node["themes"]
    assert node["year"] == ["2014"]
    assert sorted(node["pes"]) == attributed_pes(seeded_store, OHJAAMO)
    assert response.headers["Link"].endswith('rel="http://www.w3.org/ns/json-ld#context"')
    # rdflib, an independent JSON-LD processor, reads the same triples
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    turtle = client.get(PATH, headers={"Accept": "text/turtle"}).text
    assert isomorphic(graph, rdflib.Graph().parse(data=turtle, format="turtle"))


def test_published_context(client: httpx.Client) -> None:
    response = client.get("/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    for name in ("title", "abstract", "themes", "pes", "country", "region", "year", "date"):
        assert name in context
    assert context["themes"] == {"@id": str(DCTERMS.subject), "@type": "@id", "@container": "@set"}
    assert context["pes"]["@id"] == "http://www.w3.org/ns/prov#wasAttributedTo"
    assert set(TERMS) <= set(context)
    # a document that only references the context expands with it
    data = {
        "@context": context,
        "iri": OHJAAMO,
        "title": {"@value": "Ohjaamo", "@language": "fi"},
        "themes": [str(ID["theme/youth-guarantee"])],
        "year": "2014",
    }
    graph = rdflib.Graph().parse(data=json.dumps(data), format="json-ld")
    subject = rdflib.URIRef(OHJAAMO)
    assert (
        subject,
        rdflib.DCTERMS.subject,
        rdflib.URIRef(str(ID["theme/youth-guarantee"])),
    ) in graph
    years = list(graph.objects(subject, rdflib.DCTERMS.date))
    assert years == [rdflib.Literal("2014", datatype=rdflib.XSD.gYear)]


def test_entity_conditional_get(client: httpx.Client) -> None:
    first = client.get(PATH, headers={"Accept": "text/turtle"})
    tag = first.headers["ETag"]
    assert (
        client.get(PATH, headers={"Accept": "text/turtle", "If-None-Match": tag}).status_code == 304
    )
    other = client.get(PATH, headers={"Accept": "application/ld+json", "If-None-Match": tag})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("path", "accept", "status", "reason"),
    [
        ("/id/practice/no-such-practice", "text/turtle", 404, "says nothing about"),
        ("/id/practice/no-such-practice", "text/html", 404, "Not found"),
        (PATH, "image/png", 406, "text/turtle (format=ttl)"),
    ],
)
def test_entity_errors(
    client: httpx.Client, path: str, accept: str, status: int, reason: str
) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert reason in response.text


def test_ontology_document(client: httpx.Client) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(str(PES.GoodPractice)), rdflib.RDF.type, rdflib.OWL.Class) in graph
    assert list(graph.objects(rdflib.URIRef(str(PES.GoodPractice)), rdflib.RDFS.label))


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset"])
def test_void_and_dcat(client: httpx.Client, seeded_store: OxigraphStore, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    dataset = rdflib.URIRef("https://w3id.org/graphsvc/dataset")
    void, dcat = rdflib.Namespace(str(VOID)), rdflib.Namespace(str(DCAT))
    assert (dataset, rdflib.RDF.type, void.Dataset) in graph
    assert (dataset, rdflib.RDF.type, dcat.Dataset) in graph
    licence = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (dataset, rdflib.DCTERMS.license, licence) in graph
    assert int(graph.value(dataset, void.triples)) == len(seeded_store)  # type: ignore[call-overload]
    base = str(client.base_url).rstrip("/")
    assert (dataset, void.sparqlEndpoint, rdflib.URIRef(base + "/sparql")) in graph
    dumps = set(graph.objects(dataset, void.dataDump))
    assert rdflib.URIRef(base + "/export/nq.gz") in dumps
    vocabularies = set(graph.objects(dataset, void.vocabulary))
    assert rdflib.URIRef("http://www.w3.org/ns/org#") in vocabularies
    assert rdflib.URIRef(str(PES._NS)) in vocabularies
    practices = next(
        p
        for p in graph.objects(dataset, void.classPartition)
        if graph.value(p, void["class"]) == rdflib.URIRef(str(PES.GoodPractice))
    )
    count = seeded_store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a pes:GoodPractice } }"
    )
    assert int(graph.value(practices, void.entities)) == int(next(iter(count))["n"].value)  # type: ignore[arg-type, call-overload]
    distribution = rdflib.URIRef(base + "/export/ttl.gz")
    assert (distribution, rdflib.RDF.type, dcat.Distribution) in graph
    assert (distribution, dcat.downloadURL, distribution) in graph
    assert (distribution, rdflib.DCTERMS.license, licence) in graph
    # every advertised dump answers
    assert client.head(str(distribution)).status_code == 200


def test_void_in_json_ld(client: httpx.Client) -> None:
    response = client.get("/.well-known/void", params={"format": "jsonld"})
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    assert (
        rdflib.URIRef("https://w3id.org/graphsvc/dataset"),
        rdflib.RDF.type,
        rdflib.URIRef(str(VOID) + "Dataset"),
    ) in graph


def test_graph_iri_redirects_to_its_export(client: httpx.Client) -> None:
    response = client.get("/graph/source/004")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.endswith(
        "/export/trig?graph=https%3A%2F%2Fw3id.org%2Fgraphsvc%2Fgraph%2Fsource%2F004"
    )
    dump = client.get(location)
    graphs = {q.graph_name for q in pyoxigraph.parse(dump.content, RdfFormat.TRIG)}
    assert graphs == {NamedNode("https://w3id.org/graphsvc/graph/source/004")}


def test_public_url_is_used_in_links(tmp_path_factory: pytest.TempPathFactory) -> None:
    from support import run_app

    from graphsvc.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("public"),
        store="memory",
        public_url="https://pes.example.org/kg/",
        sparql_workers=1,  # one query at a time: one worker to start
    )
    with run_app(settings) as app, app.client() as client:
        void = client.get("/.well-known/void").text
        page = client.get(PATH, headers={"Accept": "text/html"}).text
    assert "<https://pes.example.org/kg/sparql>" in void
    assert 'href="https://pes.example.org/kg/id/theme/youth-guarantee"' in page


def test_json_ld_type_scoped_description(client: httpx.Client) -> None:
    path = "/id/event/organisational-learning-workshop-2019"
    document = client.get(path, headers={"Accept": "application/ld+json"}).json()
    event = next(n for n in document["@graph"] if n["iri"].endswith(path.removeprefix("/id/")))
    assert "Event" in event["type"]
    assert event["description"] and "startDate" in event and "eventType" in event
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    subject = rdflib.URIRef(event["iri"])
    assert list(graph.objects(subject, rdflib.URIRef("https://schema.org/description")))
    assert not list(graph.objects(subject, rdflib.DCTERMS.description))
    turtle = client.get(path, headers={"Accept": "text/turtle"}).text
    assert isomorphic(graph, rdflib.Graph().parse(data=turtle, format="turtle"))
