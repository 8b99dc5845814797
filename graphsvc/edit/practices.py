"""Create, update and delete good practices: authorise, build, validate, commit with provenance.

The GraphQL mutations (:mod:`graphsvc.api.mutations`) call these functions in a worker thread.
Each one holds ``services.write_lock`` from the first read to the commit, so what it checked is
what it writes, and hands the change and its PROV record to ``commit`` of its
:class:`~graphsvc.edit.workspace.Workspace` (the running service),
which writes both in one transaction and refreshes the derived state before the lock is let go.

Input values are plain Python (``{"title": [("en", "…")], "themes": ["youth-guarantee"]}``),
read by :mod:`graphsvc.edit.practice_input`; every text and list is bounded (:class:`InputLimits`).
A wrong value is an :class:`InvalidInput` with one problem per value, in terms of the input field
(:mod:`graphsvc.edit.practice_fields`); so is a SHACL result on the practice as it would be, which
keeps the result for clients that want the RDF terms.

A write commits only if ``may_commit()`` says so right before the store transaction (the GraphQL
deadline passes :meth:`graphsvc.api.server.limits.Deadline.begin_commit`): a write that would commit
too late raises :class:`graphsvc.errors.WriteTooLate` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions
from rdflib import Graph

from graphsvc.edit.auth import Principal
from graphsvc.edit.practice_fields import PRACTICE_FIELDS, ValueKind, field_of_property
from graphsvc.edit.practice_input import InputLimits, parse_changes, practice_iri
from graphsvc.edit.problems import FieldProblem, InvalidInput, ProblemCode, code_of
from graphsvc.edit.provenance import PROVENANCE_GRAPH, ChangeKind, ChangeRecord, change_quads
from graphsvc.edit.workspace import Workspace
from graphsvc.errors import GraphsvcError, NotFoundError
from graphsvc.store.base import Changeset, GraphStore
from graphsvc.store.loading import to_rdflib
from graphsvc.vocab import ID, PES, RDF, RDFS, SCHEMA, graph_iri, slugify

if TYPE_CHECKING:
    from graphsvc.store.validation import Violation

__all__ = [
    "CONTRIBUTIONS_GRAPH",
    "FIELDS",
    "EditOutcome",
    "FieldProblem",
    "InputLimits",
    "InvalidInput",
    "NotAuthorised",
    "PracticeNotFound",
    "class_hierarchy",
    "create_practice",
    "delete_practice",
    "field_names",
    "practice_iri",
    "update_practice",
]

CONTRIBUTIONS_GRAPH = NamedNode(str(graph_iri("contributions")))
"""Where practices created through the API live; edits keep a practice in its own graph."""

FIELDS: dict[str, NamedNode] = {
    name: NamedNode(field.predicate) for name, field in PRACTICE_FIELDS.items()
}
"""GraphQL input field -> the RDF property it sets (from :data:`PRACTICE_FIELDS`)."""

_FIELD_OF = {p.value: name for name, p in FIELDS.items()}
_TYPE = NamedNode(str(RDF.type))
_PRACTICE_TYPES = (NamedNode(str(PES.GoodPractice)), NamedNode(str(SCHEMA.CreativeWork)))


def _always() -> bool:
    return True


class NotAuthorised(GraphsvcError):
    def __init__(self, message: str, path: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.path = tuple(path)


class PracticeNotFound(NotFoundError):
    def __init__(self, iri: str) -> None:
        super().__init__(f"practice {iri}")
        self.iri = iri
        self.path = ("id",)


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """A committed change (``record`` is None when an update changed nothing)."""

    iri: str
    record: ChangeRecord | None
    touched: frozenset[str]


def field_names(properties: Iterable[str]) -> list[str]:
    return [_FIELD_OF[p] for p in properties if p in _FIELD_OF]


# -- store access ----------------------------------------------------------------------------


def _practice_quads(store: GraphStore, node: NamedNode) -> list[Quad]:
    return [q for q in store.quads(node, None, None, None) if q.graph_name != PROVENANCE_GRAPH]


def _is_practice(quads: Iterable[Quad]) -> bool:
    return any(q.predicate == _TYPE and q.object == _PRACTICE_TYPES[0] for q in quads)


def _in_use(store: GraphStore, node: NamedNode) -> bool:
    """Named anywhere, even only in the history of a deleted practice."""
    return next(store.quads(node, None, None, None), None) is not None or (
        next(store.quads(None, None, node, None), None) is not None
    )


def _mint(store: GraphStore, titles: Sequence[Literal]) -> NamedNode:
    english = [t for t in titles if t.language == "en"]
    slug = slugify((english or list(titles))[0].value)[:60].strip("-")
    candidate, n = NamedNode(str(ID[f"practice/{slug}"])), 1
    while _in_use(store, candidate):
        n += 1
        candidate = NamedNode(str(ID[f"practice/{slug}-{n}"]))
    return candidate


def _context(store: GraphStore, quads: Sequence[Quad], exclude: NamedNode) -> list[Quad]:
    """Types the store states about the resources the new quads point to (PES, events, …)."""
    mentioned = sorted(
        {q.object.value for q in quads if isinstance(q.object, NamedNode) and q.object != exclude}
    )
    context: list[Quad] = []
    for start in range(0, len(mentioned), 400):
        chunk = " ".join(f"<{iri}>" for iri in mentioned[start : start + 400])
        result = store.query(
            f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {chunk} }} GRAPH ?g {{ ?s a ?o }} }}"
        )
        assert isinstance(result, QuerySolutions)
        context.extend(Quad(row["s"], _TYPE, row["o"]) for row in result)
    return context


def _unknown_references(
    given: Mapping[str, Sequence[NamedNode | Literal]], known: set[str]
) -> list[FieldProblem]:
    """A problem for each referenced resource the store does not describe at all."""
    problems = []
    for name, terms in given.items():
        field = PRACTICE_FIELDS[name]
        if field.kind not in (ValueKind.REFERENCES, ValueKind.REFERENCE):
            continue
        for index, term in enumerate(terms):
            if isinstance(term, NamedNode) and term.value not in known:
                where = ("input", name) if field.single else ("input", name, str(index))
                problems.append(field.problem(where, ProblemCode.NOT_FOUND, value=term.value))
    return problems


def _shape_problem(
    violation: Violation, node: NamedNode, given: Mapping[str, Sequence[NamedNode | Literal]]
) -> FieldProblem:
    """A SHACL result told in terms of the input field that feeds its property, with the result
    kept for clients that want the RDF terms; a result on no field (the change record, say)
    keeps the shape's own words."""
    field = field_of_property(violation.path) if violation.focus_node == node.value else None
    if field is None:
        return FieldProblem(
            ("input",),
            f"The change does not pass the data shapes: {violation}.",
            code_of(violation),
            violation.path,
            violation.focus_node,
            violation.value,
            violation=violation,
        )
    path: tuple[str, ...] = ("input", field.name)
    value = None
    for index, term in enumerate(given.get(field.name, ())):
        shown = term.value if isinstance(term, NamedNode) else str(term)
        if violation.value is not None and violation.value == shown:
            path = path if field.single else (*path, str(index))
            value = term.value
            break
    problem = field.problem(path, code_of(violation), value=value)
    return replace(problem, focus_node=violation.focus_node, violation=violation)


@cache
def class_hierarchy() -> Graph:
    """The ``rdfs:subClassOf`` links of the ontology: all ``sh:class`` needs beyond the types.

    A change is validated with the types of the resources it points to (from the store) and
    this hierarchy instead of the whole ontology, so the shapes run over a few dozen triples and
    not over every theme and country the ontology describes (milliseconds, not a third of a
    second). Cached: treat it as read-only.
    """
    from graphsvc.store.validation import ontology_graph

    hierarchy = Graph()
    for triple in ontology_graph().triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


def _validate(
    store: GraphStore,
    node: NamedNode,
    quads: Sequence[Quad],
    given: Mapping[str, Sequence[NamedNode | Literal]],
) -> None:
    """SHACL-validate the practice as it will be (and its change record); map results to fields.

    A reference to a resource the store does not know is reported as such ("no theme has the id
    …") rather than as a wrong kind of resource, and SHACL results on the same field are not
    repeated.
    """
    from graphsvc.store.validation import validate

    context = _context(store, quads, node)
    known = {q.subject.value for q in context if isinstance(q.subject, NamedNode)}
    problems = _unknown_references(given, known)
    # Judge only what this change describes: the context holds just the types of the resources
    # it points to, which their own shapes (checked when they were loaded) would find incomplete.
    described = {q.subject.value for q in quads if isinstance(q.subject, NamedNode)}
    report = validate(to_rdflib([*quads, *context]), ontology=class_hierarchy())
    reported = {p.path[:2] for p in problems}
    for violation in report.errors:
        if violation.focus_node not in described:
            continue
        problem = _shape_problem(violation, node, given)
        if problem.path[:2] not in reported or problem.path == ("input",):
            problems.append(problem)
    if problems:
        raise InvalidInput([replace(p, focus_node=p.focus_node or node.value) for p in problems])


def _title(quads: Iterable[Quad]) -> str:
    titles = {
        q.object.language: q.object.value
        for q in quads
        if q.predicate == FIELDS["title"] and isinstance(q.object, Literal)
    }
    return titles.get("en") or next(iter(titles.values()), "")


def _require(principal: Principal) -> None:
    if not principal.authenticated:
        raise NotAuthorised(principal.refusal())


def _check_pes(principal: Principal, values: Mapping[str, Sequence[Any]]) -> None:
    for pes in values.get("pes", ()):
        if not principal.may_edit_for(pes.value):
            raise NotAuthorised(
                f"This token edits only the practices of {principal.token.pes if principal.token else '-'}.",
                ("input", "pes"),
            )


# -- the three operations --------------------------------------------------------------------


def create_practice(
    services: Workspace,
    principal: Principal,
    changes: Mapping[str, Any],
    may_commit: Callable[[], bool] = _always,
) -> EditOutcome:
    """Create a practice from ``changes``; a member's practice defaults to its own PES."""
    _require(principal)
    assert principal.token is not None
    problems: list[FieldProblem] = []
    values = parse_changes(changes, problems, InputLimits.of(services.settings))
    _check_pes(principal, values)
    if not values.get("pes") and principal.token.pes:
        values["pes"] = [NamedNode(principal.token.pes)]
    for name in ("pes", "title"):
        if not values.get(name) and not any(p.path[:2] == ("input", name) for p in problems):
            problems.append(PRACTICE_FIELDS[name].problem(("input", name), ProblemCode.REQUIRED))
    if problems:
        raise InvalidInput(problems)
    store = services.store
    with services.write_lock:
        try:
            node = _mint(store, values["title"])  # type: ignore[arg-type]
        except ValueError:
            title = PRACTICE_FIELDS["title"]
            raise InvalidInput(
                [
                    title.problem(
                        ("input", "title"),
                        ProblemCode.INVALID_FORMAT,
                        detail="the title needs letters or digits",
                    )
                ]
            ) from None
        graph = CONTRIBUTIONS_GRAPH
        quads = [Quad(node, _TYPE, t, graph) for t in _PRACTICE_TYPES]
        for name, terms in values.items():
            quads.extend(Quad(node, FIELDS[name], term, graph) for term in terms)
        record = ChangeRecord.new(
            ChangeKind.CREATE,
            principal.token,
            node.value,
            f"Created practice '{_title(quads)}'.",
            [FIELDS[name].value for name, terms in values.items() if terms],
        )
        _validate(store, node, [*quads, *change_quads(record)], values)
        services.commit(Changeset(add=quads), record, frozenset({node.value}), may_commit)
    return EditOutcome(node.value, record, frozenset({node.value}))


def _load(
    store: GraphStore, principal: Principal, target: str, limits: InputLimits
) -> tuple[NamedNode, list[Quad]]:
    node = NamedNode(practice_iri(target, limits))
    quads = _practice_quads(store, node)
    if not _is_practice(quads):
        raise PracticeNotFound(node.value)
    owners = [
        q.object.value
        for q in quads
        if q.predicate == FIELDS["pes"] and isinstance(q.object, NamedNode)
    ]
    if not any(principal.may_edit_for(pes) for pes in owners) and not principal.is_admin:
        raise NotAuthorised(
            f"This token edits only the practices of {principal.token.pes if principal.token else '-'}; "
            f"{node.value} belongs to {', '.join(owners) or 'no PES'}."
        )
    return node, quads


def update_practice(
    services: Workspace,
    principal: Principal,
    target: str,
    changes: Mapping[str, Any],
    may_commit: Callable[[], bool] = _always,
) -> EditOutcome:
    """Replace the given fields of a practice; fields not given keep their values."""
    _require(principal)
    assert principal.token is not None
    store = services.store
    limits = InputLimits.of(services.settings)
    with services.write_lock:
        node, old = _load(store, principal, target, limits)
        problems: list[FieldProblem] = []
        values = parse_changes(changes, problems, limits)
        _check_pes(principal, values)
        if problems:
            raise InvalidInput([replace(p, focus_node=node.value) for p in problems])
        home = next(q.graph_name for q in old if q.predicate == _TYPE)
        changed = [
            name
            for name, terms in values.items()
            if {t for t in terms} != {q.object for q in old if q.predicate == FIELDS[name]}
        ]
        if not changed:
            return EditOutcome(node.value, None, frozenset())
        predicates = {FIELDS[name] for name in changed}
        removed = [q for q in old if q.predicate in predicates]
        added = [Quad(node, FIELDS[name], term, home) for name in changed for term in values[name]]
        kept = [q for q in old if q.predicate not in predicates]
        record = ChangeRecord.new(
            ChangeKind.UPDATE,
            principal.token,
            node.value,
            f"Updated practice '{_title([*kept, *added])}': {', '.join(changed)}.",
            [FIELDS[name].value for name in changed],
        )
        _validate(store, node, [*kept, *added, *change_quads(record)], values)
        services.commit(
            Changeset(remove=removed, add=added), record, frozenset({node.value}), may_commit
        )
    return EditOutcome(node.value, record, frozenset({node.value}))


def delete_practice(
    services: Workspace,
    principal: Principal,
    target: str,
    may_commit: Callable[[], bool] = _always,
) -> EditOutcome:
    """Remove a practice and the links to it; its history stays in the provenance graph."""
    _require(principal)
    assert principal.token is not None
    store = services.store
    with services.write_lock:
        node, old = _load(store, principal, target, InputLimits.of(services.settings))
        incoming = [
            q for q in store.quads(None, None, node, None) if q.graph_name != PROVENANCE_GRAPH
        ]
        record = ChangeRecord.new(
            ChangeKind.DELETE,
            principal.token,
            node.value,
            f"Deleted practice '{_title(old)}'.",
            sorted({q.predicate.value for q in old if q.predicate != _TYPE}),
        )
        _validate(store, node, change_quads(record), {})
        touched = frozenset(
            {node.value} | {q.subject.value for q in incoming if isinstance(q.subject, NamedNode)}
        )
        services.commit(Changeset(remove=[*old, *incoming]), record, touched, may_commit)
    return EditOutcome(node.value, record, touched)
