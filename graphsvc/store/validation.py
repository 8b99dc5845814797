"""SHACL validation of graphsvc data against ``ontology/shapes.ttl``.

The data is validated merged with the ontology modules (``ontology/*.ttl`` except the shapes),
so that ``sh:class`` sees the types of themes, countries and roles and the subclass links of the
ontology (``pes:Network`` ⊂ ``org:Organization``). No inference runs: the shapes ask only for what
the data and the ontology state, which keeps validation fast and its results predictable.

Validation returns a :class:`ValidationReport`; it does not raise on invalid data, so callers
decide whether a violation is an error (a mutation) or a list to print (a seed check).

Example::

    from rdflib import Dataset
    report = validate(Dataset().parse("seeds/reference-pes.trig", format="trig"))
    for violation in report.violations:
        print(violation)  # <focus> dct:title: A good practice needs an English title (dct:title with @en)

Cost, one core, against the cached ontology: 0.015 s for 20 triples, 0.02-0.25 s for a seed file
(a run of every shape took 0.45 s for 20 triples: the concept shapes check every country and
theme), as only the shapes the data can concern run, on the ontology read in place; once per
process, 0.45 s to note what each shape reads in the ontology alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pyshacl import Shape, Validator
from rdflib import BNode, Dataset, Graph, Literal, Node, URIRef
from rdflib.collection import Collection

from graphsvc.store.ontology_modules import SHAPES_FILE, ontology_dir, ontology_files
from graphsvc.store.overlay import OverlayMemory
from graphsvc.store.shape_reads import NonEmptyAware, RecordingMemory, ShapeReads
from graphsvc.vocab import (
    CV,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
    TIME,
    XSD,
)

__all__ = [
    "SHAPES_FILE",
    "ValidationReport",
    "Violation",
    "load_shapes",
    "ontology_dir",
    "ontology_files",
    "ontology_graph",
    "validate",
]

_PREFIXES: dict[str, str] = {
    "pes": str(PES._NS),
    "id": "https://w3id.org/graphsvc/id/",
    "org": str(ORG._NS),
    "cv": str(CV._NS),
    "dct": str(DCTERMS),
    "skos": str(SKOS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "time": str(TIME),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL validation result.

    ``focus_node`` is the IRI of the offending resource (``_:id`` for a blank node); ``path`` the
    IRI of the property, or a SPARQL property path such as ``^<iri>`` for an inverse path, or
    None for a node-level check; ``value`` the offending value (an IRI, or a literal in N-Triples
    form); ``severity`` ``Violation``, ``Warning`` or ``Info``; ``shape`` the IRI of the node shape;
    ``constraint`` the IRI of the SHACL constraint component that failed
    (``sh:MinCountConstraintComponent``, ...), which tells a missing value from a wrong one. Two
    results that differ only in it are one violation (equal, same hash).
    """

    focus_node: str
    path: str | None
    message: str
    severity: str
    value: str | None = None
    shape: str | None = None
    constraint: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"<{self.focus_node}>" if not self.focus_node.startswith("_:") else self.focus_node
        if self.path is not None:
            where += " " + _compact_path(self.path)
        prefix = "" if self.severity == "Violation" else f"[{self.severity}] "
        suffix = f" (value: {self.value})" if self.value is not None else ""
        return f"{prefix}{where}: {self.message.rstrip('.')}{suffix}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    ``conforms`` is False only for results of severity ``Violation``; warnings are reported in
    ``violations`` but do not make the data non-conforming.
    """

    conforms: bool
    violations: tuple[Violation, ...]

    @property
    def errors(self) -> tuple[Violation, ...]:
        """The results of severity ``Violation``."""
        return tuple(v for v in self.violations if v.severity == "Violation")

    def __str__(self) -> str:
        if not self.violations:
            return "conforms"
        head = "conforms, with warnings" if self.conforms else "does not conform"
        return "\n".join([head, *(f"  {v}" for v in self.violations)])


@cache
def ontology_graph() -> Graph:
    """All ontology modules parsed into one graph. Cached: treat it as read-only."""
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def load_shapes() -> Graph:
    """The SHACL shapes graph parsed from ``ontology/shapes.ttl``. Cached: treat it as read-only."""
    return Graph().parse(ontology_dir() / SHAPES_FILE, format="turtle")


def validate(data: Graph | Dataset, *, ontology: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (a graph, or the union of all graphs of a dataset) against the shapes.

    ``ontology`` is merged into the data before validation; None means :func:`ontology_graph`.
    Pass an empty graph to validate the data alone. Neither argument is modified.

    Against :func:`ontology_graph`, the shapes whose look-ups in the ontology alone the data
    cannot change are not run (:mod:`graphsvc.store.shape_reads`): the ontology alone gives no
    result, so neither do they. They were most of the time of a call with a small data graph.
    """
    skip: frozenset[Node] = frozenset()
    if ontology is None or ontology is ontology_graph():
        # The cached ontology is read where it is; what the data adds to it sits on top.
        known = _ontology_triples()
        added = [triple for triple in _triples(data) if triple not in known]
        merged = Graph(store=OverlayMemory(ontology_graph().store))
        for triple in added:
            merged.add(triple)
        reads = _ontology_baseline()
        if reads is not None:
            skip = reads.shapes - reads.touched(added)
    else:
        merged = Graph()
        for triple in _triples(data):
            merged.add(triple)
        for triple in ontology:
            merged.add(triple)
    report = _run_shacl(merged, skip=skip)
    # Two constraints of one shape (a datatype and a range, say) can fail on the same value
    # with the same message; report it once, with the first constraint by IRI.
    unique: dict[Violation, Violation] = {}
    for violation in sorted(_violations(report), key=lambda v: v.constraint or ""):
        unique.setdefault(violation, violation)
    violations = tuple(sorted(unique.values(), key=_sort_key))
    return ValidationReport(
        conforms=not any(v.severity == "Violation" for v in violations),
        violations=violations,
    )


_OPTIONS: dict[str, Any] = {
    "inference": "none",
    "advanced": False,
    "inplace": True,
    "allow_warnings": True,
    "allow_infos": True,
}


def _run_shacl(graph: Graph, *, skip: frozenset[Node] = frozenset()) -> Graph:
    """pySHACL's report on ``graph``; the shapes in ``skip`` do not look for focus nodes of
    their own (other shapes still use them through ``sh:node`` and the like). On a
    :class:`RecordingMemory`, each shape's look-ups are noted in the store's ``by_shape``."""
    validator = Validator(
        NonEmptyAware(graph.store, graph), shacl_graph=load_shapes(), options=dict(_OPTIONS)
    )
    recording = isinstance(graph.store, RecordingMemory)
    for shape in validator.shacl_graph.shapes:
        # Same slots, another validate: the shape is otherwise the one pySHACL built.
        if shape.node in skip:
            shape.__class__ = _SkippedShape
        elif recording:
            shape.__class__ = _RecordedShape
    if isinstance(graph.store, RecordingMemory):
        graph.store.reads = graph.store.outside  # from here on, what pySHACL reads counts
    try:
        _conforms, report, _text = validator.run()  # type: ignore[no-untyped-call]
    finally:
        if isinstance(graph.store, RecordingMemory):
            graph.store.reads = None
    assert isinstance(report, Graph)
    return report


class _SkippedShape(Shape):
    __slots__ = ()

    def validate(
        self, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None
    ) -> Any:
        if focus is None:
            return True, []
        return super().validate(executor, target_graph, focus, _evaluation_path)


class _RecordedShape(Shape):
    __slots__ = ()

    def validate(
        self, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None
    ) -> Any:
        store = target_graph.store
        if focus is not None or not isinstance(store, RecordingMemory):
            # used by another shape: what it reads is that shape's
            return super().validate(executor, target_graph, focus, _evaluation_path)
        outside, store.reads = store.reads, store.by_shape.setdefault(self.node, set())
        try:
            return super().validate(executor, target_graph, None, _evaluation_path)
        finally:
            store.reads = outside


@cache
def _ontology_triples() -> frozenset[tuple[Node, Node, Node]]:
    return frozenset(ontology_graph())


@cache
def _ontology_baseline() -> ShapeReads | None:
    """What each shape reads validating :func:`ontology_graph` alone (as much as one call with
    a small data graph costs, once); None when the ontology alone gives results (the shapes'
    results could then not be left out)."""
    store = RecordingMemory()
    graph = Graph(store=store)
    for triple in ontology_graph():
        graph.add(triple)
    report = _run_shacl(graph)
    if store.outside or next(report.objects(None, SH.result), None) is not None:
        return None  # a read no shape made could concern any of them
    return ShapeReads(store.by_shape)


def _triples(data: Graph | Dataset) -> Iterator[tuple[Node, Node, Node]]:
    if isinstance(data, Dataset):
        for s, p, o, _g in data.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from data


def _violations(report: Graph) -> Iterable[Violation]:
    shapes = load_shapes()
    # Only top-level results: those of nested shapes (sh:node, sh:or) hang below sh:detail.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if focus is None:
            continue
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        severity = report.value(result, SH.resultSeverity)
        value = report.value(result, SH.value)
        source = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        yield Violation(
            focus_node=_node_text(focus),
            path=None if path is None else _path_text(report, path),
            message=str(message) if message is not None else _fallback_message(report, result),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            value=None if value is None else _value_text(value),
            shape=_shape_iri(shapes, source),
            constraint=None if component is None else str(component),
        )


def _fallback_message(report: Graph, result: Node) -> str:
    component = report.value(result, SH.sourceConstraintComponent)
    name = str(component).rsplit("#", 1)[-1] if component is not None else "constraint"
    return f"fails {name}"


def _node_text(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _value_text(node: Node) -> str:
    if isinstance(node, Literal):
        return node.n3()
    return _node_text(node)


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL path as an IRI (predicate paths) or a SPARQL property path."""
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_atom(graph, inverse)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_atom(graph, p) for p in Collection(graph, path))
    for predicate, op in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return _path_atom(graph, inner) + op
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_atom(graph, p) for p in Collection(graph, alternatives)) + ")"
    return _node_text(path)


def _path_atom(graph: Graph, path: Node) -> str:
    return f"<{path}>" if isinstance(path, URIRef) else "(" + _path_text(graph, path) + ")"


def _compact_iri(iri: str) -> str:
    for prefix, namespace in sorted(_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _compact_path(path: str) -> str:
    """``http://purl.org/dc/terms/title`` -> ``dct:title``; ``^<iri>`` -> ``^prefix:name``."""
    if "<" not in path:
        return _compact_iri(path)
    out: list[str] = []
    rest = path
    while "<" in rest:
        before, _, tail = rest.partition("<")
        iri, _, rest = tail.partition(">")
        out.append(before + _compact_iri(iri))
    out.append(rest)
    return "".join(out)


def _shape_iri(shapes: Graph, source: Node | None) -> str | None:
    """The IRI of the shape that produced a result: a blank property shape reports its node shape."""
    if source is None:
        return None
    if isinstance(source, URIRef):
        return str(source)
    parent = shapes.value(None, SH.property, source)
    return str(parent) if isinstance(parent, URIRef) else None


def _sort_key(v: Violation) -> tuple[str, str, str, str]:
    return (v.focus_node, v.path or "", v.message, v.value or "")
