"""Every good practice in the seeds cites at least one public source: a ``dct:source`` that is an
``http(s)`` IRI. Every seed file counts, including those added after this test was written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, RdfFormat
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from graphsvc.settings import Settings
from graphsvc.store.validation import ontology_graph
from graphsvc.vocab import DCTERMS, PES

SEED_FILES = sorted(
    p for p in Settings().seeds_dir.iterdir() if p.suffix in {".trig", ".ttl", ".nq", ".nt"}
)
FORMATS = {
    ".trig": RdfFormat.TRIG,
    ".ttl": RdfFormat.TURTLE,
    ".nq": RdfFormat.N_QUADS,
    ".nt": RdfFormat.N_TRIPLES,
}
RDF_TYPE = str(RDF.type)
DCT_SOURCE = str(DCTERMS.source)


def practice_classes(ontology: Graph) -> set[URIRef]:
    """``pes:GoodPractice`` and every class declared below it."""
    found = {URIRef(str(PES.GoodPractice))}
    for cls in ontology.transitive_subjects(RDFS.subClassOf, URIRef(str(PES.GoodPractice))):
        if isinstance(cls, URIRef):
            found.add(cls)
    return found


def unsourced_practices(paths: Iterable[Path], ontology: Graph) -> list[str]:
    """``<practice> (file)`` for each practice without an http(s) ``dct:source`` in any file."""
    classes = {str(c) for c in practice_classes(ontology)}
    typed_in: dict[str, set[str]] = {}
    sources: dict[str, list[object]] = {}
    for path in paths:
        for quad in pyoxigraph.parse(path=path, format=FORMATS[path.suffix]):
            subject, predicate, value = quad.subject, quad.predicate.value, quad.object
            if not isinstance(subject, NamedNode):
                continue
            if predicate == RDF_TYPE and isinstance(value, NamedNode) and value.value in classes:
                typed_in.setdefault(subject.value, set()).add(path.name)
            elif predicate == DCT_SOURCE:
                sources.setdefault(subject.value, []).append(value)
    problems = []
    for practice in sorted(typed_in):
        cited = sources.get(practice, [])
        if not any(
            isinstance(o, NamedNode) and o.value.startswith(("http://", "https://")) for o in cited
        ):
            files = ", ".join(sorted(typed_in[practice]))
            problems.append(f"<{practice}> ({files}): no dct:source with a public URL")
    return problems


def test_seed_files_are_found() -> None:
    names = {p.name for p in SEED_FILES}
    assert "reference-practices.trig" in names
    assert len(SEED_FILES) >= 10


def test_every_practice_has_a_source() -> None:
    assert unsourced_practices(SEED_FILES, ontology_graph()) == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("", True),
        ('dct:source "a page somewhere"@en ;', True),  # a string is not a public URL
        ("dct:source <urn:isbn:9789264123456> ;", True),
        ("dct:source <https://example.org/page> ;", False),
    ],
    ids=["none", "literal", "not-http", "url"],
)
def test_a_practice_without_a_source_is_reported(
    tmp_path: Path, source: str, flagged: bool
) -> None:
    path = tmp_path / "practices.trig"
    path.write_text(
        "@prefix pes: <https://w3id.org/graphsvc/ontology#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/graphsvc/graph/test> {\n"
        f"  <https://w3id.org/graphsvc/id/practice/p> a pes:GoodPractice ; {source}\n"
        '    dct:title "P"@en .\n'
        "}\n"
    )
    problems = unsourced_practices([path], ontology_graph())
    if flagged:
        assert problems == [
            "<https://w3id.org/graphsvc/id/practice/p> (practices.trig): "
            "no dct:source with a public URL"
        ]
    else:
        assert problems == []
