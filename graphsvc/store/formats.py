"""RDF serialisation formats: the one table of the formats this service reads and writes.

Each entry is a :class:`pyoxigraph.RdfFormat`, which carries the media type, the file extension,
the W3C format IRI and whether the format holds named graphs. The table adds only what is this
project's own: the short name (``--format``, ``format=``, ``/export/{name}``), other media types
and names a client may use for it, other file extensions, and whether the dataset is exported in
it. The web interface builds its offers and export list from it (:mod:`graphsvc.web.formats`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from graphsvc.errors import UnsupportedFormatError

__all__ = ["FORMATS", "Format", "format_for_name", "format_for_path"]


@dataclass(frozen=True, slots=True)
class Format:
    """A format of :data:`FORMATS`: pyoxigraph's ``rdf_format`` and this project's additions."""

    name: str
    rdf_format: RdfFormat
    media_aliases: tuple[str, ...] = ()
    """Other media types that ask for this format in ``Accept``."""
    names: tuple[str, ...] = ()
    """Other names for it in ``format=``."""
    suffixes: tuple[str, ...] = ()
    """File extensions read as this format besides :attr:`extension`."""
    exported: bool = True
    """Whether ``/export`` offers the dataset in it."""

    @property
    def media_type(self) -> str:
        return str(self.rdf_format.media_type)

    @property
    def extension(self) -> str:
        return str(self.rdf_format.file_extension)

    @property
    def iri(self) -> str:
        return str(self.rdf_format.iri)

    @property
    def supports_datasets(self) -> bool:
        return bool(self.rdf_format.supports_datasets)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "ttl",
            RdfFormat.TURTLE,
            ("application/turtle", "application/x-turtle"),
            ("turtle",),
            ("turtle",),
        ),
        Format("nt", RdfFormat.N_TRIPLES, ("text/plain",), ("ntriples", "n-triples")),
        Format("nq", RdfFormat.N_QUADS),
        Format("trig", RdfFormat.TRIG),
        Format(
            "jsonld",
            RdfFormat.JSON_LD,
            ("application/x-json+ld", "application/json"),
            ("json-ld", "json"),
            ("json",),
        ),
        Format(
            "rdfxml",
            RdfFormat.RDF_XML,
            ("application/xml", "text/xml"),
            ("rdf", "xml"),
            ("owl", "xml"),
            exported=False,
        ),
    )
}
_BY_EXTENSION = {suffix: f for f in FORMATS.values() for suffix in (f.extension, *f.suffixes)}


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
