"""A fast SHACL pre-screen: which focus nodes *might* violate the shapes.

pySHACL judges about 10,000 triples a second; a 250k-quad load would spend a minute in it. This
module evaluates the SHACL Core constraints that ``ontology/shapes.ttl`` uses over plain Python
indexes of the data, and answers with the focus nodes that may violate a shape of severity
``sh:Violation``. It is conservative: whenever it cannot be sure that a value conforms it says
"may violate", so a node it clears does conform. pySHACL then judges only the flagged nodes
(:func:`graphsvc.store.loading.validate_quads`), and its report is the one users see.

A shape that uses a construct this module does not evaluate (``sh:not``, ``sh:xone``, complex
paths, …) makes :func:`prescreen` ask for a full validation whenever it targets one of the focus
nodes. A SPARQL constraint (``sh:sparql`` with ``sh:select``) of a node shape is run by Oxigraph
over the same triples, once for all its focus nodes (``VALUES $this``), when its query is one
group of triple patterns and filters (where that binding is the SHACL pre-binding): any solution
asks for a full validation, so that pySHACL reports it; none clears the constraint.

Cost: linear in the triples of the focus nodes; about 1 s for 250k quads on one core.

Example::

    index = TripleIndex(quads)
    result = prescreen(index, focus={q.subject for q in quads})
    result.flagged      # nodes pySHACL must judge; empty when everything conforms
    result.needs_full   # True: validate everything with pySHACL
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection as RdfCollection
from rdflib.term import Node

from graphsvc.vocab import RDF, RDFS, SH

__all__ = [
    "Prescreen",
    "Select",
    "Shape",
    "TripleIndex",
    "compile_shapes",
    "compiled_shapes",
    "inverse_predicates",
    "prescreen",
]

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode

_TYPE = NamedNode(str(RDF.type))
_SUBCLASS = NamedNode(str(RDFS.subClassOf))
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LANG_STRING = str(RDF.langString)


class TripleIndex:
    """Triples by subject and predicate (graph names dropped: SHACL sees the union)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        # plain dicts of small lists: a third of the memory of sets, for 250k quads
        spo: dict[Subject, dict[NamedNode, list[Term]]] = {}
        for q in quads:
            by_predicate = spo.get(q.subject)  # type: ignore[arg-type]
            if by_predicate is None:
                by_predicate = spo[q.subject] = {}  # type: ignore[index]
            objects = by_predicate.get(q.predicate)
            if objects is None:
                by_predicate[q.predicate] = [q.object]  # type: ignore[list-item]
            elif q.object not in objects:  # the same triple in two graphs counts once
                objects.append(q.object)  # type: ignore[arg-type]
        self._spo = spo
        self._inverse: dict[NamedNode, dict[Term, set[Subject]]] = {}
        self._supers: dict[Term, frozenset[Term]] = {}
        self._classes: dict[Term, frozenset[Term]] = {}
        self._closures: dict[frozenset[Term], frozenset[Term]] = {}
        self._store: Store | None = None

    def values(self, node: Term, predicate: NamedNode) -> Sequence[Term]:
        """The distinct objects of ``node predicate ?o``."""
        by_predicate = self._spo.get(node) if not isinstance(node, Literal) else None
        if by_predicate is None:
            return ()
        return by_predicate.get(predicate) or ()

    def subjects(self, predicate: NamedNode, node: Term) -> set[Subject]:
        index = self._inverse.get(predicate)
        if index is None:
            index = defaultdict(set)
            for subject, by_predicate in self._spo.items():
                for obj in by_predicate.get(predicate, ()):
                    index[obj].add(subject)
            self._inverse[predicate] = index
        return index.get(node) or set()

    def store(self) -> Store:
        """The triples in the default graph of an in-memory Oxigraph store, for SPARQL
        constraints (built on the first call)."""
        if self._store is None:
            self._store = Store()
            self._store.extend(
                Quad(subject, predicate, obj)
                for subject, by_predicate in self._spo.items()
                for predicate, objects in by_predicate.items()
                for obj in objects
            )
        return self._store

    def description(self, node: Subject) -> Iterable[tuple[NamedNode, Term]]:
        for predicate, objects in self._spo.get(node, {}).items():
            for obj in objects:
                yield predicate, obj

    def superclasses(self, cls: Term) -> frozenset[Term]:
        """``cls`` and everything it is an ``rdfs:subClassOf*`` of."""
        known = self._supers.get(cls)
        if known is not None:
            return known
        seen: set[Term] = {cls}
        stack = [cls]
        while stack:
            for parent in self.values(stack.pop(), _SUBCLASS):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result = frozenset(seen)
        self._supers[cls] = result
        return result

    def classes(self, node: Term) -> frozenset[Term]:
        """Every class ``node`` is a SHACL instance of (its types and their superclasses)."""
        known = self._classes.get(node)
        if known is not None:
            return known
        types = frozenset(self.values(node, _TYPE))
        result = self._closures.get(types)
        if result is None:
            result = frozenset().union(*(self.superclasses(t) for t in types))
            self._closures[types] = result
        self._classes[node] = result
        return result

    def is_instance(self, node: Term, cls: Term) -> bool:
        return cls in self.classes(node)


# --- compiled shapes -------------------------------------------------------------------------


class Unsupported(Exception):
    """A construct the pre-screen does not evaluate."""


@dataclass(frozen=True, slots=True)
class Select:
    """A SPARQL constraint's SELECT, split where ``VALUES $this`` goes: at the start of its only
    group, where joining the focus nodes is binding ``$this`` to each in turn."""

    head: str  # the PREFIX declarations, then the query up to its group's opening brace
    body: str  # the group's triple patterns and filters

    def text(self, focus: Sequence[Term]) -> str:
        values = " ".join(str(node) for node in focus)
        return f"{self.head}{{ VALUES $this {{ {values} }}\n{self.body}}}"


# What the pre-binding of $this by VALUES is not sure to mean: another group (its filters would
# not see $this), pre-bound variables other than $this, and aggregates or solution modifiers.
_SELECT_PARTS = re.compile(r"(?s)^([^{}]*)\{([^{}]*)\}\s*$")
_OTHER_BOUND = re.compile(r"[?$](currentShape|shapesGraph|PATH)\b")
_AGGREGATE = re.compile(r"(?i)\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(")


@dataclass
class Shape:
    """A node or property shape, with the constraints the pre-screen evaluates."""

    name: str
    path: tuple[NamedNode, bool] | None = None  # (predicate, inverse)
    violation: bool = True  # severity sh:Violation (the default)
    deactivated: bool = False
    unsupported: str | None = None
    target_classes: list[NamedNode] = field(default_factory=list)
    target_subjects_of: list[NamedNode] = field(default_factory=list)
    target_objects_of: list[NamedNode] = field(default_factory=list)
    target_nodes: list[Term] = field(default_factory=list)
    min_count: int | None = None
    max_count: int | None = None
    unique_lang: bool = False
    qualified: Shape | None = None
    qualified_min: int | None = None
    has_value: list[Term] = field(default_factory=list)
    # constraints on each value node
    classes: list[NamedNode] = field(default_factory=list)
    datatype: str | None = None
    node_kind: str | None = None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    language_in: list[str] | None = None
    allowed: set[Term] | None = None  # sh:in
    bounds: list[tuple[str, Decimal]] = field(default_factory=list)  # (component, bound)
    nodes: list[Shape] = field(default_factory=list)
    alternatives: list[list[Shape]] = field(default_factory=list)  # each sh:or
    conjunctions: list[list[Shape]] = field(default_factory=list)  # each sh:and
    properties: list[Shape] = field(default_factory=list)
    selects: list[Select] = field(default_factory=list)  # each sh:sparql: no solution wanted

    def problem(self, *, nested: bool = False) -> str | None:
        """The first unsupported construct in this shape or a shape it uses (a SPARQL
        constraint is run only for the shapes that target the focus nodes)."""
        if self.unsupported:
            return f"{self.name}: {self.unsupported}"
        if nested and self.selects:
            return f"{self.name}: sh:sparql in a shape another shape uses"
        used = [*self.nodes, *self.properties, *(s for group in self.alternatives for s in group)]
        used += [s for group in self.conjunctions for s in group]
        if self.qualified is not None:
            used.append(self.qualified)
        for shape in used:
            found = shape.problem(nested=True)
            if found:
                return found
        return None


_IGNORED = {
    str(SH[name])
    for name in (
        "message",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
        "prefixes",
        "declare",
        "targetClass",
        "targetSubjectsOf",
        "targetObjectsOf",
        "targetNode",
        "severity",
        "path",
        "deactivated",
        "property",
        "minCount",
        "maxCount",
        "uniqueLang",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "hasValue",
        "class",
        "datatype",
        "nodeKind",
        "pattern",
        "flags",
        "languageIn",
        "in",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "node",
        "or",
        "and",
        "sparql",
    )
}


def _to_ox(node: Node) -> Term:
    if isinstance(node, URIRef):
        return NamedNode(str(node))
    if isinstance(node, BNode):
        return BlankNode(str(node))
    if isinstance(node, RdfLiteral):
        if node.language:
            return Literal(str(node), language=node.language)
        datatype = NamedNode(str(node.datatype)) if node.datatype else None
        return Literal(str(node), datatype=datatype)
    raise Unsupported(f"term {node!r}")


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: dict[Node, Shape] = {}

    def list_of(self, node: Node) -> list[Node]:
        return list(RdfCollection(self.graph, node))

    def shape(self, node: Node) -> Shape:
        known = self.done.get(node)
        if known is not None:
            return known
        g = self.graph
        shape = Shape(name=str(node) if isinstance(node, URIRef) else f"_:{node}")
        self.done[node] = shape  # before recursing: shapes may refer to each other
        try:
            self._fill(shape, node, g)
        except Unsupported as exc:
            shape.unsupported = str(exc)
        return shape

    def _fill(self, shape: Shape, node: Node, g: Graph) -> None:
        shape.target_classes = [NamedNode(str(c)) for c in g.objects(node, SH.targetClass)]
        if (node, RDF.type, RDFS.Class) in g:
            shape.target_classes.append(NamedNode(str(node)))
        shape.target_subjects_of = [NamedNode(str(p)) for p in g.objects(node, SH.targetSubjectsOf)]
        shape.target_objects_of = [NamedNode(str(p)) for p in g.objects(node, SH.targetObjectsOf)]
        shape.target_nodes = [_to_ox(n) for n in g.objects(node, SH.targetNode)]
        for predicate in set(g.predicates(node, None)):
            text = str(predicate)
            if text.startswith(str(SH)) and text not in _IGNORED:
                raise Unsupported(f"sh:{text.removeprefix(str(SH))}")
        path = g.value(node, SH.path)
        if path is not None:
            inverse = g.value(path, SH.inversePath) if not isinstance(path, URIRef) else None
            if isinstance(path, URIRef):
                shape.path = (NamedNode(str(path)), False)
            elif isinstance(inverse, URIRef) and len(set(g.predicate_objects(path))) == 1:
                shape.path = (NamedNode(str(inverse)), True)
            else:
                raise Unsupported("a path other than a predicate or its inverse")
        severity = g.value(node, SH.severity)
        shape.violation = severity is None or severity == SH.Violation
        shape.deactivated = str(g.value(node, SH.deactivated)).lower() == "true"
        shape.min_count = _int(g.value(node, SH.minCount))
        shape.max_count = _int(g.value(node, SH.maxCount))
        shape.unique_lang = str(g.value(node, SH.uniqueLang)).lower() == "true"
        qualified = g.value(node, SH.qualifiedValueShape)
        if qualified is not None:
            if (node, SH.qualifiedMaxCount, None) in g or (
                node,
                SH.qualifiedValueShapesDisjoint,
                None,
            ) in g:
                raise Unsupported("qualifiedMaxCount / qualifiedValueShapesDisjoint")
            shape.qualified = self.shape(qualified)
            shape.qualified_min = _int(g.value(node, SH.qualifiedMinCount))
        shape.has_value = [_to_ox(v) for v in g.objects(node, SH.hasValue)]
        shape.classes = [NamedNode(str(c)) for c in g.objects(node, SH.term("class"))]
        datatypes = list(g.objects(node, SH.datatype))
        if len(datatypes) > 1:
            raise Unsupported("several sh:datatype")
        shape.datatype = str(datatypes[0]) if datatypes else None
        kind = g.value(node, SH.nodeKind)
        shape.node_kind = str(kind).removeprefix(str(SH)) if kind is not None else None
        flags = str(g.value(node, SH.flags) or "")
        re_flags = 0
        for flag in flags:
            if flag == "i":
                re_flags |= re.IGNORECASE
            else:
                raise Unsupported(f"pattern flag {flag!r}")
        shape.patterns = [re.compile(str(p), re_flags) for p in g.objects(node, SH.pattern)]
        languages = g.value(node, SH.languageIn)
        if languages is not None:
            shape.language_in = [str(x).lower() for x in self.list_of(languages)]
        members = g.value(node, SH["in"])
        if members is not None:
            shape.allowed = {_to_ox(x) for x in self.list_of(members)}
        for component in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            for bound in g.objects(node, SH[component]):
                number = _number(_to_ox(bound))
                if number is None:
                    raise Unsupported(f"sh:{component} with a non-numeric bound")
                shape.bounds.append((component, number))
        shape.nodes = [self.shape(n) for n in g.objects(node, SH.node)]
        shape.alternatives = [
            [self.shape(s) for s in self.list_of(lst)] for lst in g.objects(node, SH["or"])
        ]
        shape.conjunctions = [
            [self.shape(s) for s in self.list_of(lst)] for lst in g.objects(node, SH["and"])
        ]
        shape.properties = [self.shape(p) for p in g.objects(node, SH.property)]
        for constraint in g.objects(node, SH.sparql):
            if shape.path is not None:
                raise Unsupported("sh:sparql in a property shape")
            if str(g.value(constraint, SH.deactivated)).lower() != "true":
                shape.selects.append(self.select(constraint))

    def select(self, constraint: Node) -> Select:
        g = self.graph
        known = {RDF.type, RDFS.label, RDFS.comment, SH.select, SH.message, SH.prefixes}
        known |= {SH.severity, SH.deactivated}
        for predicate in set(g.predicates(constraint, None)):
            if predicate not in known:
                raise Unsupported(f"sh:sparql with {predicate}")
        query = g.value(constraint, SH.select)
        parts = _SELECT_PARTS.match(str(query)) if query is not None else None
        if parts is None or _OTHER_BOUND.search(str(query)) or _AGGREGATE.search(parts[1]):
            raise Unsupported("sh:sparql other than a SELECT of one group of patterns")
        prologue = ""
        for declared in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(declared, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise Unsupported("an sh:declare without sh:prefix or sh:namespace")
                prologue += f"PREFIX {prefix}: <{namespace}>\n"
        select = Select(prologue + parts[1], parts[2])
        try:
            Store().query(select.text([]))
        except SyntaxError as exc:
            raise Unsupported(f"sh:sparql that Oxigraph does not read: {exc}") from None
        return select


def _int(node: Node | None) -> int | None:
    return None if node is None else int(str(node))


@cache
def compiled_shapes() -> tuple[Shape, ...]:
    """The shapes of ``ontology/shapes.ttl`` that have targets, compiled once."""
    from graphsvc.store.validation import load_shapes

    return compile_shapes(load_shapes())


def compile_shapes(graph: Graph) -> tuple[Shape, ...]:
    """The shapes of the shapes graph ``graph`` that have targets."""
    compiler = _Compiler(graph)
    targeted: set[Node] = set()
    for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        targeted.update(graph.subjects(predicate, None))
    targeted.update(
        s for s in graph.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in graph
    )
    return tuple(compiler.shape(node) for node in sorted(targeted, key=str))


# --- evaluation ------------------------------------------------------------------------------


_LEXICAL: dict[str, re.Pattern[str]] = {
    "string": re.compile(r"(?s).*"),
    "anyURI": re.compile(r"\S*"),
    "boolean": re.compile(r"true|false|1|0"),
    "integer": re.compile(r"[+-]?[0-9]+"),
    "nonNegativeInteger": re.compile(r"\+?[0-9]+"),
    "positiveInteger": re.compile(r"\+?0*[1-9][0-9]*"),
    "decimal": re.compile(r"[+-]?[0-9]+(\.[0-9]+)?"),
    "gYear": re.compile(r"[0-9]{4}"),
    "gYearMonth": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])"),
}


def _well_typed(value: Literal, datatype: str) -> bool:
    """True only when ``value`` is certainly a valid literal of ``datatype``."""
    if datatype == _LANG_STRING:
        return value.language is not None
    if value.language is not None or value.datatype.value != datatype:
        return False
    local = datatype.removeprefix(_XSD)
    if local == datatype:
        return False  # not an XSD type: let pySHACL decide
    if local == "date":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.value):
            return False
        try:
            datetime.date.fromisoformat(value.value)
        except ValueError:
            return False
        return True
    if local == "dateTime":
        if not re.fullmatch(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
            value.value,
        ):
            return False
        try:
            datetime.datetime.fromisoformat(value.value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    pattern = _LEXICAL.get(local)
    return pattern is not None and pattern.fullmatch(value.value) is not None


def _number(term: Term) -> Decimal | None:
    if not isinstance(term, Literal) or term.language is not None:
        return None
    local = term.datatype.value.removeprefix(_XSD)
    if local not in {"integer", "decimal", "nonNegativeInteger", "positiveInteger"}:
        return None
    if not _well_typed(term, term.datatype.value):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _kind_ok(term: Term, kind: str) -> bool:
    is_iri, is_blank, is_literal = (
        isinstance(term, NamedNode),
        isinstance(term, BlankNode),
        isinstance(term, Literal),
    )
    return {
        "IRI": is_iri,
        "BlankNode": is_blank,
        "Literal": is_literal,
        "BlankNodeOrIRI": is_blank or is_iri,
        "BlankNodeOrLiteral": is_blank or is_literal,
        "IRIOrLiteral": is_iri or is_literal,
    }.get(kind, False)


def _compare(number: Decimal, component: str, bound: Decimal) -> bool:
    if component == "minInclusive":
        return number >= bound
    if component == "maxInclusive":
        return number <= bound
    if component == "minExclusive":
        return number > bound
    return number < bound


class _Evaluator:
    def __init__(self, index: TripleIndex) -> None:
        self.index = index

    def value_nodes(self, shape: Shape, focus: Term) -> Collection[Term]:
        if shape.path is None:
            return (focus,)
        predicate, inverse = shape.path
        if inverse:
            return self.index.subjects(predicate, focus)
        return self.index.values(focus, predicate)

    def value_ok(self, shape: Shape, value: Term) -> bool:
        """True only when ``value`` certainly meets the per-value constraints of ``shape``."""
        index = self.index
        for cls in shape.classes:
            if isinstance(value, Literal) or not index.is_instance(value, cls):
                return False
        if shape.datatype is not None and (
            not isinstance(value, Literal) or not _well_typed(value, shape.datatype)
        ):
            return False
        if shape.node_kind is not None and not _kind_ok(value, shape.node_kind):
            return False
        if shape.patterns:
            if isinstance(value, BlankNode):
                return False
            if not all(p.search(value.value) for p in shape.patterns):
                return False
        if shape.language_in is not None and not (
            isinstance(value, Literal)
            and value.language is not None
            and value.language.lower() in shape.language_in
        ):
            return False
        if shape.allowed is not None and value not in shape.allowed:
            return False
        if shape.bounds:
            number = _number(value)
            if number is None or not all(_compare(number, c, b) for c, b in shape.bounds):
                return False
        if not all(self.conforms(value, s) for s in shape.nodes):
            return False
        if not all(any(self.conforms(value, s) for s in group) for group in shape.alternatives):
            return False
        return all(all(self.conforms(value, s) for s in group) for group in shape.conjunctions)

    def conforms(self, focus: Term, shape: Shape) -> bool:
        """True only when ``focus`` certainly conforms to ``shape`` (any severity)."""
        if shape.deactivated:
            return True
        if shape.unsupported:
            return False
        values = self.value_nodes(shape, focus)
        if shape.min_count is not None and len(values) < shape.min_count:
            return False
        if shape.max_count is not None and len(values) > shape.max_count:
            return False
        for required in shape.has_value:
            if required not in values:
                return False
        if shape.unique_lang and shape.path is not None:
            languages = [
                v.language.lower() for v in values if isinstance(v, Literal) and v.language
            ]
            if len(languages) != len(set(languages)):
                return False
        if shape.qualified is not None and shape.qualified_min is not None:
            qualified = shape.qualified
            matching = sum(1 for v in values if self.conforms(v, qualified))
            if matching < shape.qualified_min:
                return False
        if not all(self.value_ok(shape, v) for v in values):
            return False
        return all(self.conforms(focus, p) for p in shape.properties)

    def may_violate(self, focus: Term, shape: Shape) -> bool:
        """Whether ``focus`` may have a result of severity Violation from ``shape``."""
        if shape.deactivated:
            return False
        if shape.violation and not self.conforms(focus, _own(shape)):
            return True
        # property shapes report their own results, at their own severity
        if shape.path is None:
            return any(self.may_violate(focus, p) for p in shape.properties)
        return False


_OWN: dict[int, Shape] = {}


def _own(shape: Shape) -> Shape:
    """``shape`` without its property shapes, which report their own results."""
    if not shape.properties:
        return shape
    own = _OWN.get(id(shape))
    if own is None:
        own = dataclasses.replace(shape, properties=[])
        _OWN[id(shape)] = own
    return own


def _targets(
    index: TripleIndex, shape: Shape, focus: Collection[Term], by_classes: _Groups
) -> list[Term]:
    chosen: list[Term] = []
    if shape.target_classes:
        wanted = frozenset(shape.target_classes)
        for classes, nodes in by_classes.items():
            if not wanted.isdisjoint(classes):
                chosen.extend(nodes)
    others = [node for node in shape.target_nodes if node in focus]
    for predicate in shape.target_subjects_of:
        others.extend(node for node in focus if index.values(node, predicate))
    for predicate in shape.target_objects_of:
        others.extend(node for node in focus if index.subjects(predicate, node))
    if others:
        chosen = list(dict.fromkeys([*chosen, *others]))
    return chosen


_Groups = dict[frozenset[Term], list[Term]]


@dataclass(frozen=True, slots=True)
class Prescreen:
    """``flagged``: focus nodes that may violate; ``needs_full``: a shape that targets a focus
    node uses a construct the pre-screen does not evaluate (``reason`` names it)."""

    flagged: frozenset[Term]
    needs_full: bool
    reason: str | None = None


Plan = list[tuple[Shape, list[Term]]]


def plan(
    index: TripleIndex, focus: Collection[Term], shapes: Sequence[Shape] | None = None
) -> Plan:
    """Each shape (of ``shapes``, default the compiled ones) with the focus nodes it targets."""
    by_classes: _Groups = defaultdict(list)  # focus nodes by the classes they belong to
    for node in focus:
        by_classes[index.classes(node)].append(node)
    chosen: Plan = []
    for shape in compiled_shapes() if shapes is None else shapes:
        if shape.deactivated:
            continue
        targets = _targets(index, shape, focus, by_classes)
        if targets:
            chosen.append((shape, targets))
    return chosen


def run(
    index: TripleIndex, work: Plan, progress: Callable[[int], object] | None = None
) -> Prescreen:
    """Screen the planned (shape, focus nodes) pairs; ``progress(n)`` hears of each n checks."""
    for shape, _ in work:
        problem = shape.problem()
        if problem is not None:
            return Prescreen(frozenset(), True, problem)
    for shape, targets in work:
        found = _select_results(index, shape, targets)
        if found is not None:
            return Prescreen(frozenset(), True, found)
    evaluator = _Evaluator(index)
    flagged: set[Term] = set()
    for shape, targets in work:
        for start in range(0, len(targets), 2_000):
            chunk = targets[start : start + 2_000]
            flagged.update(node for node in chunk if evaluator.may_violate(node, shape))
            if progress is not None:
                progress(len(chunk))
    return Prescreen(frozenset(flagged), False)


def _select_results(index: TripleIndex, shape: Shape, targets: Sequence[Term]) -> str | None:
    """Why ``shape``'s SPARQL constraints need pySHACL on ``targets``, or None if they find
    nothing."""
    if not shape.selects or shape.deactivated:
        return None
    if any(isinstance(node, BlankNode) for node in targets):
        return f"{shape.name}: sh:sparql on a blank node"
    for select in shape.selects:
        for start in range(0, len(targets), 500):
            solutions = index.store().query(select.text(targets[start : start + 500]))
            assert isinstance(solutions, QuerySolutions)
            for solution in solutions:
                return f"{shape.name}: sh:sparql found a result for {solution['this']}"
    return None


def prescreen(
    index: TripleIndex,
    focus: Collection[Term],
    shapes: Sequence[Shape] | None = None,
) -> Prescreen:
    """The focus nodes of ``focus`` that may violate a shape, given the triples of ``index``."""
    return run(index, plan(index, focus, shapes))


def inverse_predicates(shapes: Sequence[Shape]) -> frozenset[NamedNode]:
    """The predicates of the inverse paths in ``shapes`` and the shapes they use."""
    found: set[NamedNode] = set()
    seen: set[int] = set()
    stack = list(shapes)
    while stack:
        shape = stack.pop()
        if id(shape) in seen:
            continue
        seen.add(id(shape))
        if shape.path is not None and shape.path[1]:
            found.add(shape.path[0])
        stack.extend(shape.nodes)
        stack.extend(shape.properties)
        stack.extend(s for group in shape.alternatives for s in group)
        stack.extend(s for group in shape.conjunctions for s in group)
        if shape.qualified is not None:
            stack.append(shape.qualified)
    return frozenset(found)
