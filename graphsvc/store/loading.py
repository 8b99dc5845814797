"""Parse, validate and load RDF files: all of them or nothing.

Files are parsed completely and validated against the SHACL shapes (together with the ontology and
what the store already knows about the resources they mention) before one atomic write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import rdflib
from pyoxigraph import DefaultGraph, NamedNode, Quad, QuerySolutions

from graphsvc.errors import RdfSyntaxError, ValidationError
from graphsvc.store.base import Changeset, GraphStore
from graphsvc.store.formats import format_for_path
from graphsvc.vocab import BASE, graph_iri

__all__ = [
    "ONTOLOGY_GRAPH",
    "LoadReport",
    "load_files",
    "load_ontology_and_seeds",
    "ontology_files",
    "parse_file",
    "seed_files",
    "to_rdflib",
    "validate_quads",
]

ONTOLOGY_GRAPH = graph_iri("ontology")
_ONTOLOGY_NODE = NamedNode(str(ONTOLOGY_GRAPH))

Progress = Callable[[int], object]


@dataclass(frozen=True, slots=True)
class LoadReport:
    files: tuple[Path, ...]
    quads: int
    graphs: tuple[str, ...]


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology modules and schemes (the shapes are validation input, not data)."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")


def seed_files(seeds_dir: Path) -> list[Path]:
    return sorted(p for p in seeds_dir.glob("*.trig"))


def parse_file(path: Path, graph: NamedNode | None = None) -> list[Quad]:
    """Parse ``path``; triples go to ``graph`` (or the default graph). Errors name file:line:column."""
    fmt = format_for_path(path)
    try:
        with path.open("rb") as handle:
            parsed = pyoxigraph.parse(
                handle, fmt.rdf_format, base_iri=BASE, rename_blank_nodes=True
            )
            quads = list(parsed)
    except SyntaxError as exc:
        line, column = _position(exc)
        raise RdfSyntaxError(str(path), _reason(exc), line, column) from None
    except OSError as exc:
        raise RdfSyntaxError(str(path), f"cannot read: {exc.strerror or exc}", None, None) from None
    if graph is None:
        return quads
    return [
        Quad(q.subject, q.predicate, q.object, graph)
        if isinstance(q.graph_name, DefaultGraph)
        else q
        for q in quads
    ]


def _position(exc: SyntaxError) -> tuple[int | None, int | None]:
    if len(exc.args) > 1 and isinstance(exc.args[1], tuple) and len(exc.args[1]) >= 3:
        line, column = exc.args[1][1], exc.args[1][2]
        return (int(line) if line else None, int(column) if column else None)
    return exc.lineno, exc.offset


def _reason(exc: SyntaxError) -> str:
    message = str(exc.msg or exc)
    # pyoxigraph prefixes "Parser error between line L column C and ...:": keep the reason.
    return message.split(": ", 1)[1] if message.startswith("Parser error") else message


def to_rdflib(quads: Iterable[Quad]) -> rdflib.Dataset:
    """Copy quads into an rdflib Dataset (for SHACL validation)."""
    dataset = rdflib.Dataset()
    nquads = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS)
    if nquads:
        dataset.parse(data=nquads.decode(), format="nquads")
    return dataset


def _context_quads(store: GraphStore, quads: Sequence[Quad]) -> list[Quad]:
    """Types and labels the store holds about the IRIs that ``quads`` mention."""
    mentioned = {q.object for q in quads if isinstance(q.object, NamedNode)}
    mentioned |= {q.subject for q in quads if isinstance(q.subject, NamedNode)}
    if not mentioned:
        return []
    context: list[Quad] = []
    sparql = (
        "SELECT ?s ?p ?o WHERE { VALUES ?s { %s } "
        "VALUES ?p { rdf:type skos:prefLabel skos:inScheme dct:title } GRAPH ?g { ?s ?p ?o } }"
    )
    terms = sorted(mentioned, key=str)
    for start in range(0, len(terms), 500):
        chunk = " ".join(str(t) for t in terms[start : start + 500])
        result = store.query(sparql % chunk)
        assert isinstance(result, QuerySolutions)
        context.extend(Quad(row["s"], row["p"], row["o"]) for row in result)
    return context


def validate_quads(quads: Sequence[Quad], source: str, store: GraphStore | None = None) -> None:
    """Raise :class:`ValidationError` unless ``quads`` (with ontology and context) conform."""
    from graphsvc.store.validation import ontology_graph, validate

    data = list(quads)
    if store is not None:
        data.extend(_context_quads(store, quads))
    report = validate(to_rdflib(data), ontology=ontology_graph())
    if not report.conforms:
        raise ValidationError(source, report.violations)


def load_files(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    graph: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Parse every file, validate them together, then write them in one transaction.

    A parse error or a violation raises before anything is written.
    """
    target = NamedNode(graph) if graph else None
    quads: list[Quad] = []
    for path in paths:
        quads.extend(parse_file(path, target))
        if progress:
            progress(1)
    if validate:
        validate_quads(quads, ", ".join(str(p) for p in paths), store)
    store.apply(Changeset(add=quads))
    graphs = sorted({str(q.graph_name) for q in quads if isinstance(q.graph_name, NamedNode)})
    return LoadReport(tuple(paths), len(quads), tuple(graphs))


def load_ontology_and_seeds(
    store: GraphStore, ontology_dir: Path, seeds_dir: Path, progress: Progress | None = None
) -> LoadReport:
    """Load the ontology into its graph and the seeds into theirs, in one validated transaction."""
    quads: list[Quad] = []
    files = [*ontology_files(ontology_dir), *seed_files(seeds_dir)]
    for path in files:
        graph = _ONTOLOGY_NODE if path.parent == ontology_dir else None
        quads.extend(parse_file(path, graph))
        if progress:
            progress(1)
    validate_quads(quads, f"{ontology_dir} + {seeds_dir}")
    store.apply(Changeset(add=quads))
    graphs = sorted({str(q.graph_name) for q in quads if isinstance(q.graph_name, NamedNode)})
    return LoadReport(tuple(files), len(quads), tuple(graphs))
