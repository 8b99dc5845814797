"""Parse, validate and load RDF files: all of them or nothing.

Files are parsed completely and validated against the SHACL shapes (together with the ontology and
what the store already knows about the resources they mention) before one atomic write.
"""

from __future__ import annotations

import functools
import gzip
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, cast

import pyoxigraph
import rdflib
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, QuerySolutions

from graphsvc.errors import InputError, ValidationError
from graphsvc.store.base import Changeset, GraphStore
from graphsvc.store.formats import format_for_path
from graphsvc.store.parse_errors import rdf_input_error
from graphsvc.store.verdicts import Verdicts
from graphsvc.vocab import BASE, graph_iri

__all__ = [
    "ONTOLOGY_GRAPH",
    "LoadReport",
    "Phases",
    "check_files",
    "graph_node",
    "load_files",
    "load_ontology_and_seeds",
    "ontology_and_seed_targets",
    "ontology_files",
    "ontology_quads",
    "parse_file",
    "seed_files",
    "to_rdflib",
    "validate_quads",
]

ONTOLOGY_GRAPH = graph_iri("ontology")
_ONTOLOGY_NODE = NamedNode(str(ONTOLOGY_GRAPH))

Progress = Callable[[int], object]


class Phases(Protocol):
    """Reports the phases of a load (parse, validate, write) as they go, and warnings."""

    def start(self, name: str, total: int | None, unit: str) -> Callable[[int], object]:
        """Begin phase ``name`` of ``total`` ``unit``s; the result is called with each advance."""
        ...

    def warn(self, message: str) -> None: ...


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


def graph_node(iri: str) -> NamedNode:
    """The named graph ``iri``; a malformed IRI is an :class:`InputError`, not a crash."""
    try:
        node = NamedNode(iri)
    except ValueError as exc:
        raise InputError(f"graph {iri!r} is not a valid IRI: {exc}") from None
    if ":" not in iri:
        raise InputError(f"graph {iri!r} is not an absolute IRI")
    return node


def parse_file(path: Path, graph: NamedNode | None = None) -> list[Quad]:
    """Parse ``path`` (``.gz`` is decompressed); triples go to ``graph`` (or the default graph).

    Errors name file:line:column.
    """
    fmt = format_for_path(path)
    try:
        with _open(path) as handle:
            parsed = pyoxigraph.parse(
                handle, fmt.rdf_format, base_iri=BASE, rename_blank_nodes=True
            )
            quads = list(parsed)
    except (SyntaxError, OSError, EOFError) as exc:
        raise rdf_input_error(path, exc) from None
    if graph is None:
        return quads
    return [
        Quad(q.subject, q.predicate, q.object, graph)
        if isinstance(q.graph_name, DefaultGraph)
        else q
        for q in quads
    ]


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def to_rdflib(quads: Iterable[Quad]) -> rdflib.Graph:
    """The triples of ``quads`` in an rdflib Graph, for SHACL validation (which sees the union
    of all graphs, so graph names are dropped)."""
    graph = rdflib.Graph()
    triples = (Quad(q.subject, q.predicate, q.object) for q in quads)
    ntriples = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    if ntriples:
        graph.parse(data=ntriples.decode(), format="nt")
    return graph


_DESCRIBE = (
    "SELECT ?s ?p ?o WHERE { VALUES ?r { %s } "
    "{ GRAPH ?g { ?r ?p ?o } BIND(?r AS ?s) } UNION "
    "{ GRAPH ?g { ?r ?p0 ?s FILTER(isBlank(?s)) ?s ?p ?o } } }"
)
_SUMMARY = (
    "SELECT ?s ?p ?o WHERE { VALUES ?s { %s } "
    "VALUES ?p { rdf:type skos:prefLabel skos:inScheme dct:title } GRAPH ?g { ?s ?p ?o } }"
)


def _context_quads(store: GraphStore, quads: Sequence[Quad]) -> list[Quad]:
    """What the store already says that the shapes need to judge ``quads`` in context.

    Resources that ``quads`` describe (their subjects) come with everything the store states
    about them and their blank nodes, so that a file adding one property to a stored resource
    is judged with the rest of it, and with the links to it along the shapes' inverse paths.
    Resources they only point to come with their types and labels, which is what ``sh:class``
    and the messages need.
    """
    from graphsvc.store.prescreen import compiled_shapes, inverse_predicates

    subjects = {q.subject for q in quads if isinstance(q.subject, NamedNode)}
    objects = {q.object for q in quads if isinstance(q.object, NamedNode)} - subjects
    # links to the subjects along the shapes' inverse paths (an event's cv:hasParticipation)
    inverse = " ".join(sorted(str(p) for p in inverse_predicates(compiled_shapes())))
    incoming = (
        "SELECT ?s ?p ?o WHERE { VALUES ?o { %s } VALUES ?p { " + inverse + " } "
        "GRAPH ?g { ?s ?p ?o } }"
    )
    context: list[Quad] = []
    for sparql, terms in ((_DESCRIBE, subjects), (_SUMMARY, objects), (incoming, subjects)):
        ordered = sorted(terms, key=str)
        for start in range(0, len(ordered), 500):
            chunk = " ".join(str(t) for t in ordered[start : start + 500])
            result = store.query(sparql % chunk)
            assert isinstance(result, QuerySolutions)
            context.extend(Quad(row["s"], row["p"], row["o"]) for row in result)
    return context


def validate_quads(
    quads: Sequence[Quad],
    source: str,
    store: GraphStore | None = None,
    phases: Phases | None = None,
) -> None:
    """Raise :class:`ValidationError` unless ``quads`` (with ontology and context) conform.

    The focus nodes are the resources ``quads`` describe (their subjects). A fast pre-screen
    (:mod:`graphsvc.store.prescreen`) clears those that certainly conform; pySHACL judges the
    rest, each with its description, its blank nodes, the links to it and the types and labels
    of what it links to. Shapes the pre-screen cannot evaluate fall back to pySHACL on
    everything, as does a solution of a SPARQL constraint (a cycle in a concept scheme).
    """
    from graphsvc.store import prescreen

    context = _context_quads(store, quads) if store is not None else []
    focus = {q.subject for q in quads if isinstance(q.subject, NamedNode | BlankNode)}
    index = prescreen.TripleIndex(itertools.chain(quads, context, ontology_quads()))
    work = prescreen.plan(index, focus)
    checks = sum(len(targets) for _, targets in work)
    tick = phases.start("validating", checks, "check") if phases else None
    screen = prescreen.run(index, work, tick)
    if screen.needs_full:
        _judge(to_rdflib(itertools.chain(quads, context)), source, None)
    elif screen.flagged:
        _judge(to_rdflib(_judged_context(index, screen.flagged)), source, screen.flagged)


def _judge(data: rdflib.Graph, source: str, focus: frozenset[Any] | None) -> None:
    """pySHACL's verdict on ``data``; with ``focus``, only results about those nodes (and the
    blank nodes described with them) count: the other nodes are there as context only."""
    from graphsvc.store.validation import ontology_graph, validate

    report = validate(data, ontology=ontology_graph())
    errors = report.errors
    if focus is not None:
        names = {node.value for node in focus if isinstance(node, NamedNode)}
        errors = tuple(v for v in errors if v.focus_node in names or v.focus_node.startswith("_:"))
    if errors:
        raise ValidationError(source, errors)


_SUMMARY_PREDICATES = tuple(
    NamedNode(iri)
    for iri in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#inScheme",
        "http://purl.org/dc/terms/title",
    )
)


def _judged_context(index: Any, flagged: frozenset[Any]) -> Iterator[Quad]:
    """What pySHACL needs to judge ``flagged``: their descriptions with their blank nodes, the
    links to them along the shapes' inverse paths, and a summary of every other node named."""
    from graphsvc.store.prescreen import compiled_shapes, inverse_predicates

    described: set[Any] = set()
    summarised: list[Any] = []
    stack = list(flagged)
    for node in flagged:
        for predicate in inverse_predicates(compiled_shapes()):
            for subject in index.subjects(predicate, node):
                yield Quad(subject, predicate, node)
                (stack if isinstance(subject, BlankNode) else summarised).append(subject)
    while stack:
        node = stack.pop()
        if node in described:
            continue
        described.add(node)
        for predicate, obj in index.description(node):
            yield Quad(node, predicate, obj)
            if isinstance(obj, BlankNode):
                stack.append(obj)
            elif isinstance(obj, NamedNode):
                summarised.append(obj)
    for node in set(summarised) - described:
        for predicate in _SUMMARY_PREDICATES:
            for obj in index.values(node, predicate):
                yield Quad(node, predicate, obj)


@functools.cache
def ontology_quads() -> tuple[Quad, ...]:
    """The ontology modules as pyoxigraph quads (cached)."""
    from graphsvc.store.ontology_modules import ontology_files as module_files

    quads: list[Quad] = []
    for path in module_files():
        quads.extend(parse_file(path))
    return tuple(quads)


def check_files(
    targets: Sequence[tuple[Path, NamedNode | None]],
    *,
    validate: bool = True,
    store: GraphStore | None = None,
    progress: Progress | None = None,
    phases: Phases | None = None,
    verdicts: Verdicts | None = None,
) -> list[Quad]:
    """Parse each ``(file, graph)`` and validate all of them together; return their quads.

    Triples of a file go to its graph (``None``: the default graph); quads keep theirs. A SHACL
    violation names the files that describe the resources in violation. With a ``store``, the
    files are judged together with what it already holds about the resources they mention.
    ``progress(1)`` is called after each file is parsed and once more after validation;
    ``phases`` hears of the parse (in bytes) and validation (in focus nodes) phases, and of
    files that hold nothing. With ``verdicts`` and no ``store`` (the verdict then depends on
    the files alone), files already found clean are not validated again
    (:mod:`graphsvc.store.verdicts`).
    """
    quads: list[Quad] = []
    described: dict[str, list[Path]] = {}  # subject IRI -> files that describe it
    tick = phases.start("parsing", sum(_size(p) for p, _ in targets), "B") if phases else None
    for path, graph in targets:
        parsed = parse_file(path, graph)
        if not parsed and phases:
            phases.warn(f"{path}: holds no triples or quads")
        for subject in {q.subject.value for q in parsed if isinstance(q.subject, NamedNode)}:
            described.setdefault(subject, []).append(path)
        quads.extend(parsed)
        if progress:
            progress(1)
        if tick:
            tick(_size(path))
    key = verdicts.key(targets) if validate and verdicts and store is None else None
    if validate and not (key and verdicts and verdicts.is_clean(key)):
        paths = [path for path, _ in targets]
        try:
            validate_quads(quads, ", ".join(str(p) for p in paths), store, phases)
        except ValidationError as exc:
            raise ValidationError(
                _blame(exc, described, paths), exc.violations, _locate(exc, described)
            ) from None
        if key and verdicts:
            verdicts.record_clean(key)
    if validate and progress:
        progress(1)
    return quads


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # parse_file reports it


def _blame(exc: ValidationError, described: dict[str, list[Path]], paths: Sequence[Path]) -> str:
    """The files that describe the resources in violation (all files when that is unknown)."""
    blamed: list[Path] = []
    for violation in exc.violations:
        for path in described.get(violation.focus_node, paths):
            if path not in blamed:
                blamed.append(path)
    return ", ".join(str(p) for p in blamed or paths)


def _locate(exc: ValidationError, described: dict[str, list[Path]]) -> dict[str, str]:
    """``file:line`` where each focus node in violation is described, when a line is found."""
    from graphsvc.store.locate import subject_lines

    wanted: dict[Path, set[str]] = {}
    for violation in exc.violations:
        for path in described.get(violation.focus_node, [])[:1]:
            wanted.setdefault(path, set()).add(violation.focus_node)
    return {
        iri: f"{path}:{line}"
        for path, iris in wanted.items()
        for iri, line in subject_lines(path, iris).items()
    }


def _report(paths: Sequence[Path], quads: Sequence[Quad]) -> LoadReport:
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, NamedNode)})
    return LoadReport(tuple(paths), len(quads), tuple(graphs))


def load_files(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    graph: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    phases: Phases | None = None,
    staged: bool = False,
) -> LoadReport:
    """Parse every file, validate them together, then write them in one transaction.

    A parse error or a violation raises before anything is written. ``staged``: an embedded
    store is written by Oxigraph's bulk loader into a staging copy that then replaces it
    (:func:`graphsvc.store.bulk.bulk_write`: all or nothing, twice as fast for big loads;
    an on-disk store is closed on return).
    """
    from graphsvc.store.oxigraph import OxigraphStore

    target = graph_node(graph) if graph else None
    quads = check_files(
        [(path, target) for path in paths],
        validate=validate,
        store=store,
        progress=progress,
        phases=phases,
    )
    report = _report(paths, quads)
    tick = phases.start("writing", len(quads), "quad") if phases else None
    if staged and isinstance(store, OxigraphStore):
        from graphsvc.store.bulk import bulk_write

        bulk_write(store, _drain(quads, tick))
    else:
        store.apply(Changeset(add=quads))
        if tick:
            tick(len(quads))
    return report


def _drain(quads: list[Quad], tick: Callable[[int], object] | None) -> Iterator[Quad]:
    """The quads of ``quads``, removed from it as they are taken: the memory of the parsed
    data goes while the store's write buffers grow (a third less at the peak)."""
    quads.reverse()
    count = 0
    while quads:
        yield quads.pop()
        count += 1
        if tick and count == 10_000:
            tick(count)
            count = 0
    if tick and count:
        tick(count)


def ontology_and_seed_targets(
    ontology_dir: Path, seeds_dir: Path
) -> list[tuple[Path, NamedNode | None]]:
    """The ontology modules (into the ontology graph) and the seed files (their own graphs)."""
    return [
        *((path, _ONTOLOGY_NODE) for path in ontology_files(ontology_dir)),
        *((path, None) for path in seed_files(seeds_dir)),
    ]


def load_ontology_and_seeds(
    store: GraphStore,
    ontology_dir: Path,
    seeds_dir: Path,
    progress: Progress | None = None,
    verdicts: Verdicts | None = None,
) -> LoadReport:
    """Load the ontology into its graph and the seeds into theirs, in one validated transaction
    (``verdicts``: skip the validation of files already found clean)."""
    targets = ontology_and_seed_targets(ontology_dir, seeds_dir)
    quads = check_files(targets, progress=progress, verdicts=verdicts)
    store.apply(Changeset(add=quads))
    return _report([path for path, _ in targets], quads)
