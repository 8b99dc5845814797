"""RDF serialisation formats: names, file extensions and media types in one table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from graphsvc.errors import UnsupportedFormatError

__all__ = ["FORMATS", "Format", "format_for_name", "format_for_path"]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    extension: str
    media_type: str
    rdf_format: RdfFormat

    @property
    def supports_datasets(self) -> bool:
        return bool(self.rdf_format.supports_datasets)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ttl", "ttl", "text/turtle", RdfFormat.TURTLE),
        Format("nt", "nt", "application/n-triples", RdfFormat.N_TRIPLES),
        Format("nq", "nq", "application/n-quads", RdfFormat.N_QUADS),
        Format("trig", "trig", "application/trig", RdfFormat.TRIG),
        Format("jsonld", "jsonld", "application/ld+json", RdfFormat.JSON_LD),
        Format("rdfxml", "rdf", "application/rdf+xml", RdfFormat.RDF_XML),
    )
}
_BY_EXTENSION = {f.extension: f for f in FORMATS.values()} | {
    "turtle": FORMATS["ttl"],
    "json": FORMATS["jsonld"],
    "owl": FORMATS["rdfxml"],
    "xml": FORMATS["rdfxml"],
}


def format_for_name(name: str) -> Format:
    """``"ttl"`` -> Turtle. Raises :class:`UnsupportedFormatError` naming the known formats."""
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UnsupportedFormatError(f"format {name!r}", sorted(FORMATS)) from None


def format_for_path(path: Path) -> Format:
    """Format from a file name, ignoring a trailing ``.gz``."""
    suffixes = [s.lstrip(".").lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes.pop()
    if suffixes and suffixes[-1] in _BY_EXTENSION:
        return _BY_EXTENSION[suffixes[-1]]
    raise UnsupportedFormatError(str(path), sorted(_BY_EXTENSION))
