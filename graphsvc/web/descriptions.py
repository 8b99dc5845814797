"""The dataset described for machines: VoID + DCAT, and the SPARQL service description.

Every figure comes from the store (:func:`graphsvc.store.stats.dataset_stats`); links point at
this deployment's base URL (``GRAPHSVC_PUBLIC_URL`` or the request's).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from pyoxigraph import BlankNode, NamedNode, Triple

from graphsvc.settings import Settings
from graphsvc.store.stats import DatasetStats
from graphsvc.vocab import ID, XSD
from graphsvc.web.formats import DATASET_FORMATS, RDF_FORMATS, RESULTS_FORMATS, media_type_iri
from graphsvc.web.terms import DATASET_IRI, SD, SPARQL_PROTOCOL, Term, iri, literal

__all__ = [
    "DATASET_DESCRIPTION",
    "DATASET_TITLE",
    "DESCRIPTION_PREFIXES",
    "dataset_description",
    "service_description",
    "vocabularies",
]

DESCRIPTION_PREFIXES = {"sd": SD, "formats": "http://www.w3.org/ns/formats/"}

DATASET_TITLE = "graphsvc: a knowledge graph of public employment services"
DATASET_DESCRIPTION = (
    "Public employment services (PES), the networks they belong to (WAPES, the European PES "
    "Network), regions and countries, good practices, themes, events, projects and work "
    "programmes, with the source each fact comes from. One named graph per source."
)
_FORMAT_TITLES = {
    "ttl": "Turtle",
    "nt": "N-Triples",
    "nq": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
}


def vocabularies(stats: DatasetStats) -> list[str]:
    """Namespaces of the properties and classes in use (for ``void:vocabulary``)."""
    found: set[str] = set()
    for name, _ in (*stats.triples_per_property, *stats.entities_per_class):
        cut = max(name.rfind("#"), name.rfind("/"))
        if cut > 0 and not name.startswith(str(ID)):
            found.add(name[: cut + 1])
    return sorted(found)


def _dump_url(base: str, name: str, graph: str | None = None) -> str:
    url = f"{base}/export/{name}"
    return f"{url}?graph={quote(graph, safe='')}" if graph else url


def dataset_description(
    stats: DatasetStats, base: str, settings: Settings, modified: datetime
) -> list[Triple]:
    """VoID and DCAT description of the whole dataset, its graphs and its distributions."""
    dataset = iri(DATASET_IRI)
    endpoint = iri(f"{base}/sparql")
    license_iri = iri(settings.dataset_license) if settings.dataset_license else None
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: NamedNode, o: object) -> None:
        out.append(Triple(s, p, o))  # type: ignore[arg-type]

    add(dataset, Term.rdf("type"), Term.void("Dataset"))
    add(dataset, Term.rdf("type"), Term.dcat("Dataset"))
    add(dataset, Term.dct("title"), literal(DATASET_TITLE, lang="en"))
    add(dataset, Term.dct("description"), literal(DATASET_DESCRIPTION, lang="en"))
    if license_iri is not None:
        add(dataset, Term.dct("license"), license_iri)
    add(dataset, Term.dct("modified"), literal(modified.isoformat(), datatype=f"{XSD}dateTime"))
    add(dataset, Term.foaf("homepage"), iri(f"{base}/dataset"))  # its landing page
    add(dataset, Term.void("sparqlEndpoint"), endpoint)
    add(dataset, Term.void("uriSpace"), literal(str(ID)))
    add(dataset, Term.void("uriRegexPattern"), literal("^" + str(ID).replace(".", r"\.")))
    for example in stats.examples:
        add(dataset, Term.void("exampleResource"), iri(example))
    for vocabulary in vocabularies(stats):
        add(dataset, Term.void("vocabulary"), iri(vocabulary))
    add(dataset, Term.void("triples"), literal(stats.quads))
    add(dataset, Term.void("entities"), literal(stats.entities))
    add(dataset, Term.void("classes"), literal(len(stats.entities_per_class)))
    add(dataset, Term.void("properties"), literal(len(stats.triples_per_property)))
    add(dataset, Term.void("distinctSubjects"), literal(stats.distinct_subjects))
    add(dataset, Term.void("distinctObjects"), literal(stats.distinct_objects))
    for cls, count in stats.entities_per_class:
        partition = BlankNode()
        add(dataset, Term.void("classPartition"), partition)
        add(partition, Term.void("class"), iri(cls))
        add(partition, Term.void("entities"), literal(count))
    for prop, count in stats.triples_per_property:
        partition = BlankNode()
        add(dataset, Term.void("propertyPartition"), partition)
        add(partition, Term.void("property"), iri(prop))
        add(partition, Term.void("triples"), literal(count))

    for name, (media_type, rdf_format) in DATASET_FORMATS.items():
        add(dataset, Term.void("feature"), iri(rdf_format.iri))
        for compressed in (False, True):
            file_name = f"{name}.gz" if compressed else name
            url = iri(_dump_url(base, file_name))
            add(dataset, Term.dcat("distribution"), url)
            if compressed:
                add(dataset, Term.void("dataDump"), url)
            add(url, Term.rdf("type"), Term.dcat("Distribution"))
            title = f"{_FORMAT_TITLES[name]} dump" + (", gzip" if compressed else "")
            add(url, Term.dct("title"), literal(title, lang="en"))
            add(url, Term.dcat("downloadURL"), url)
            add(url, Term.dcat("accessURL"), url)
            add(url, Term.dcat("mediaType"), iri(media_type_iri(media_type)))
            if compressed:
                add(url, Term.dcat("compressFormat"), iri(media_type_iri("application/gzip")))
            if license_iri is not None:
                add(url, Term.dct("license"), license_iri)

    for graph, count in stats.triples_per_graph:
        node = iri(graph)
        add(dataset, Term.void("subset"), node)
        add(node, Term.rdf("type"), Term.void("Dataset"))
        add(node, Term.void("triples"), literal(count))
        add(node, Term.void("dataDump"), iri(_dump_url(base, "nq.gz", graph)))

    add(endpoint, Term.rdf("type"), Term.dcat("DataService"))
    add(endpoint, Term.rdf("type"), Term.sd("Service"))
    add(endpoint, Term.dct("title"), literal("SPARQL 1.1 endpoint (read-only)", lang="en"))
    add(endpoint, Term.dcat("endpointURL"), endpoint)
    add(endpoint, Term.dcat("endpointDescription"), endpoint)
    add(endpoint, Term.dcat("servesDataset"), dataset)
    add(endpoint, Term.dct("conformsTo"), iri(SPARQL_PROTOCOL))
    if license_iri is not None:
        add(endpoint, Term.dct("license"), license_iri)
    return out


def service_description(stats: DatasetStats, base: str, settings: Settings) -> list[Triple]:
    """SPARQL 1.1 Service Description of ``/sparql`` with its default dataset."""
    endpoint = iri(f"{base}/sparql")
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: NamedNode, o: object) -> None:
        out.append(Triple(s, p, o))  # type: ignore[arg-type]

    add(endpoint, Term.rdf("type"), Term.sd("Service"))
    add(endpoint, Term.sd("endpoint"), endpoint)
    add(endpoint, Term.sd("supportedLanguage"), Term.sd("SPARQL11Query"))
    add(endpoint, Term.sd("feature"), Term.sd("UnionDefaultGraph"))
    add(endpoint, Term.sd("defaultEntailmentRegime"), iri("http://www.w3.org/ns/entailment/Simple"))
    for results_format in RESULTS_FORMATS.values():
        add(endpoint, Term.sd("resultFormat"), iri(results_format.iri))
    for name in ("ttl", "nt", "jsonld", "rdfxml"):
        add(endpoint, Term.sd("resultFormat"), iri(RDF_FORMATS[name].iri))
    add(endpoint, Term.dct("title"), literal("graphsvc SPARQL endpoint", lang="en"))
    add(
        endpoint,
        Term.rdfs("comment"),
        literal(
            "Read-only SPARQL 1.1 Query. SPARQL Update, SERVICE and graphs outside this dataset "
            "are refused. The default graph is the union of all named graphs. Queries stop "
            f"after {settings.sparql_timeout:g} s with an error; results are capped at "
            f"{settings.sparql_max_rows} rows (the X-SPARQL-MaxRows header says so when it "
            "applies). Common prefixes (pes:, skos:, dct:, org:, ...) need no declaration.",
            lang="en",
        ),
    )
    dataset = iri(DATASET_IRI)
    add(endpoint, Term.sd("defaultDataset"), dataset)
    add(dataset, Term.rdf("type"), Term.sd("Dataset"))
    add(dataset, Term.rdfs("seeAlso"), iri(f"{base}/.well-known/void"))
    default_graph = BlankNode()
    add(dataset, Term.sd("defaultGraph"), default_graph)
    add(default_graph, Term.rdf("type"), Term.sd("Graph"))
    add(default_graph, Term.void("triples"), literal(stats.quads))
    for name, count in stats.triples_per_graph:
        named, graph = BlankNode(), BlankNode()
        add(dataset, Term.sd("namedGraph"), named)
        add(named, Term.rdf("type"), Term.sd("NamedGraph"))
        add(named, Term.sd("name"), iri(name))
        add(named, Term.sd("graph"), graph)
        add(graph, Term.rdf("type"), Term.sd("Graph"))
        add(graph, Term.void("triples"), literal(count))
    return out
