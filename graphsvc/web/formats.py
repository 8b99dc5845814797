"""The representations the web interface offers, with the pyoxigraph format behind each."""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

from graphsvc.web.negotiation import Offer

__all__ = [
    "DATASET_FORMATS",
    "GRAPH_OFFERS",
    "HTML",
    "PAGE_OFFERS",
    "RDF_FORMATS",
    "RESULTS_FORMATS",
    "RESULTS_OFFERS",
    "media_type_iri",
]

RESULTS_OFFERS: tuple[Offer, ...] = (
    Offer("json", "application/sparql-results+json", ("application/json",), ("srj",)),
    Offer("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("srx",)),
    Offer("csv", "text/csv"),
    Offer("tsv", "text/tab-separated-values", (), ("tab",)),
)
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}

GRAPH_OFFERS: tuple[Offer, ...] = (
    Offer("ttl", "text/turtle", ("application/turtle", "application/x-turtle"), ("turtle",)),
    Offer("nt", "application/n-triples", ("text/plain",), ("ntriples", "n-triples")),
    Offer(
        "jsonld",
        "application/ld+json",
        ("application/x-json+ld", "application/json"),
        ("json-ld", "json"),
    ),
    Offer("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf", "xml")),
)
RDF_FORMATS: dict[str, RdfFormat] = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}

HTML = Offer("html", "text/html", ("application/xhtml+xml",))
PAGE_OFFERS: tuple[Offer, ...] = (*GRAPH_OFFERS, HTML)
"""Entity pages: Turtle by default (curl, scripts); HTML when a browser asks for it."""

DATASET_FORMATS: dict[str, tuple[str, RdfFormat]] = {
    "ttl": ("text/turtle", RdfFormat.TURTLE),
    "nt": ("application/n-triples", RdfFormat.N_TRIPLES),
    "nq": ("application/n-quads", RdfFormat.N_QUADS),
    "trig": ("application/trig", RdfFormat.TRIG),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
}
"""Export formats: name -> (media type, format). JSON-LD, N-Quads and TriG keep graph names."""


def media_type_iri(media_type: str) -> str:
    """The IANA registry IRI of a media type (DCAT ``dcat:mediaType``)."""
    return f"https://www.iana.org/assignments/media-types/{media_type}"
