"""Vocabulary terms the web interface writes (service description, VoID, DCAT, formats).

Project namespaces come from :mod:`graphsvc.vocab`; these are the few extra ones, in one place.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from graphsvc.vocab import BASE, DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

__all__ = [
    "DATASET_IRI",
    "FORMATS",
    "SD",
    "SPARQL_PROTOCOL",
    "Term",
    "iri",
    "literal",
    "term",
]

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DATASET_IRI = BASE + "dataset"
"""The dataset as a whole (VoID and DCAT); described at ``/dataset`` and ``/.well-known/void``."""


class Term:
    """Prefix helpers returning pyoxigraph nodes: ``Term.void("triples")``."""

    @staticmethod
    def rdf(name: str) -> NamedNode:
        return NamedNode(str(RDF) + name)

    @staticmethod
    def rdfs(name: str) -> NamedNode:
        return NamedNode(str(RDFS) + name)

    @staticmethod
    def dct(name: str) -> NamedNode:
        return NamedNode(str(DCTERMS) + name)

    @staticmethod
    def dcat(name: str) -> NamedNode:
        return NamedNode(str(DCAT) + name)

    @staticmethod
    def void(name: str) -> NamedNode:
        return NamedNode(str(VOID) + name)

    @staticmethod
    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    @staticmethod
    def foaf(name: str) -> NamedNode:
        return NamedNode(str(FOAF) + name)

    @staticmethod
    def formats(name: str) -> NamedNode:
        return NamedNode(FORMATS + name)


def iri(value: str) -> NamedNode:
    return NamedNode(value)


def literal(value: str | int, *, lang: str | None = None, datatype: str | None = None) -> Literal:
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(str(XSD) + "integer"))
    if lang:
        return Literal(value, language=lang)
    if datatype:
        return Literal(value, datatype=NamedNode(datatype))
    return Literal(value)


def term(namespace: str, name: str) -> NamedNode:
    return NamedNode(namespace + name)
