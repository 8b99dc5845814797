"""The representations the web interface offers, with the pyoxigraph format behind each.

RDF formats come from the one table of :mod:`graphsvc.store.formats`; SPARQL results formats from
:class:`pyoxigraph.QueryResultsFormat`, with the names and media types clients also use for them.
"""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

from graphsvc.store.formats import FORMATS
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

# name -> (format, other media types, other names for format=)
_RESULTS: dict[str, tuple[QueryResultsFormat, tuple[str, ...], tuple[str, ...]]] = {
    "json": (QueryResultsFormat.JSON, ("application/json",), ("srj",)),
    "xml": (QueryResultsFormat.XML, ("application/xml", "text/xml"), ("srx",)),
    "csv": (QueryResultsFormat.CSV, (), ()),
    "tsv": (QueryResultsFormat.TSV, (), ("tab",)),
}
RESULTS_OFFERS: tuple[Offer, ...] = tuple(
    Offer(name, str(fmt.media_type).partition(";")[0], aliases, names)
    for name, (fmt, aliases, names) in _RESULTS.items()
)
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {name: r[0] for name, r in _RESULTS.items()}

GRAPH_OFFERS: tuple[Offer, ...] = tuple(
    Offer(f.name, f.media_type, f.media_aliases, f.names)
    for f in (FORMATS[name] for name in ("ttl", "nt", "jsonld", "rdfxml"))
)
"""What a graph (CONSTRUCT, DESCRIBE, an entity) is offered in; Turtle by default."""
RDF_FORMATS: dict[str, RdfFormat] = {f.name: f.rdf_format for f in FORMATS.values()}

HTML = Offer("html", "text/html", ("application/xhtml+xml",))
PAGE_OFFERS: tuple[Offer, ...] = (*GRAPH_OFFERS, HTML)
"""Entity pages: Turtle by default (curl, scripts); HTML when a browser asks for it."""

DATASET_FORMATS: dict[str, tuple[str, RdfFormat]] = {
    f.name: (f.media_type, f.rdf_format) for f in FORMATS.values() if f.exported
}
"""Export formats: name -> (media type, format). JSON-LD, N-Quads and TriG keep graph names."""


def media_type_iri(media_type: str) -> str:
    """The IANA registry IRI of a media type (DCAT ``dcat:mediaType``)."""
    return f"https://www.iana.org/assignments/media-types/{media_type}"
