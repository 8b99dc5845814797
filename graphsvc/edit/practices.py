"""Create, update and delete good practices: authorise, build, validate, commit with provenance.

The GraphQL mutations (:mod:`graphsvc.api.mutations`) call these functions in a worker thread.
Each one holds ``services.write_lock`` from the first read to the commit, so what it checked is
what it writes, and hands the change and its PROV record to ``commit`` of its
:class:`~graphsvc.edit.workspace.Workspace` (the running service),
which writes both in one transaction and refreshes the derived state before the lock is let go.

Input values are plain Python (``{"title": [("en", "…")], "themes": ["youth-guarantee"]}``);
references may be full IRIs, ``id:``-relative paths (``theme/youth-guarantee``), bare slugs
(``youth-guarantee``) or, for countries, ISO 3166-1 alpha-3 codes (``SWE``). Every text and list
is bounded (:class:`InputLimits`); a value over its bound is an :class:`InvalidInput` naming it.

A write commits only if ``may_commit()`` says so right before the store transaction (the GraphQL
deadline passes :meth:`graphsvc.api.server.limits.Deadline.begin_commit`): a write that would commit
too late raises :class:`graphsvc.errors.WriteTooLate` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions
from rdflib import Graph

from graphsvc.edit.auth import Principal
from graphsvc.edit.practice_fields import PRACTICE_FIELDS, InputField, ValueKind, field_of_property
from graphsvc.edit.problems import FieldProblem, ProblemCode, code_of
from graphsvc.edit.provenance import PROVENANCE_GRAPH, ChangeKind, ChangeRecord, change_quads
from graphsvc.edit.workspace import Workspace
from graphsvc.errors import GraphsvcError, InputError, NotFoundError
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset, GraphStore
from graphsvc.store.loading import to_rdflib
from graphsvc.vocab import EU_COUNTRY, ID, PES, RDF, RDFS, SCHEMA, XSD, graph_iri, slugify

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
_GYEAR = NamedNode(str(XSD.gYear))
_DATE = NamedNode(str(XSD.date))
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class InputLimits:
    """The longest text of each kind and the most items of a list an edit may give."""

    title: int = 300
    abstract: int = 10_000
    name: int = 200
    url: int = 2_048
    items: int = 100

    @classmethod
    def of(cls, settings: Settings) -> InputLimits:
        return cls(
            title=settings.max_title_length,
            abstract=settings.max_abstract_length,
            name=settings.max_name_length,
            url=settings.max_url_length,
            items=settings.max_input_items,
        )


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


class InvalidInput(InputError):
    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{'.'.join(first.path)}: {first.message}{more}")
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """A committed change (``record`` is None when an update changed nothing)."""

    iri: str
    record: ChangeRecord | None
    touched: frozenset[str]


def field_names(properties: Iterable[str]) -> list[str]:
    return [_FIELD_OF[p] for p in properties if p in _FIELD_OF]


# -- references and values -------------------------------------------------------------------


def resolve_reference(value: str, kind: str) -> NamedNode:
    """IRI of a reference: an IRI, a global ID, an ``id:`` path, a slug or (countries) an alpha-3 code."""
    text = value.strip()
    if text.startswith(("http://", "https://")):
        iri = text
    elif text.startswith("id:"):
        iri = str(ID) + text[3:]
    elif kind == "country" and re.fullmatch(r"[A-Za-z]{3}", text):
        iri = str(EU_COUNTRY[text.upper()])
    elif "/" in text:
        iri = str(ID) + text
    else:
        iri = _global_id_iri(text) or str(ID) + f"{kind}/{text}"
    if not text or any(c in iri for c in ' <>"{}|\\^`'):
        raise ValueError(f"{value!r} is not an IRI or an id")
    return NamedNode(iri)


def _global_id_iri(text: str) -> str | None:
    """The IRI inside a Relay global ID (what ``Practice.id`` returns), if ``text`` is one."""
    from graphsvc.model.ids import InvalidIdError, parse_global_id

    try:
        return parse_global_id(text)[1]
    except InvalidIdError:
        return None


def practice_iri(value: str, limits: InputLimits | None = None) -> str:
    """The IRI of a practice given by IRI, ``practice/<slug>`` or slug."""
    limit = (limits or InputLimits()).url
    if len(value) > limit:
        raise InvalidInput(
            [
                FieldProblem(
                    ("id",),
                    f"The id is {len(value)} characters long; the limit is {limit}.",
                    ProblemCode.TOO_LONG,
                    limit=limit,
                )
            ]
        )
    try:
        return resolve_reference(value, "practice").value
    except ValueError:
        raise InvalidInput(
            [
                FieldProblem(
                    ("id",),
                    f"{value!r} is not the IRI or id of a practice, such as practice/ohjaamo.",
                    ProblemCode.INVALID_FORMAT,
                    value=value,
                )
            ]
        ) from None


def _too_many(
    field: InputField, value: Any, path: tuple[str, ...], limit: int, problems: list[FieldProblem]
) -> bool:
    """Report a list of more than ``limit`` items; True when it is one."""
    if value is not None and len(value) > limit:
        problems.append(field.problem(path, ProblemCode.TOO_MANY, limit=limit, count=len(value)))
        return True
    return False


def _texts(
    field: InputField,
    value: Any,
    path: tuple[str, ...],
    problems: list[FieldProblem],
    limit: int,
    limits: InputLimits,
) -> list[Literal]:
    terms: list[Literal] = []
    seen: set[str] = set()
    if _too_many(field, value, path, limits.items, problems):
        return terms
    for index, (lang, text) in enumerate(value or ()):
        where = (*path, str(index))
        lang = (lang or "").strip().lower()
        if len(lang) > limits.name:
            problems.append(
                field.problem(
                    (*where, "lang"),
                    ProblemCode.TOO_LONG,
                    limit=limits.name,
                    count=len(lang),
                    detail=f"the language tag is {len(lang)} characters long; "
                    f"give a tag such as en or sv",
                )
            )
            continue
        if not _LANG.match(lang):
            problems.append(
                field.problem(
                    (*where, "lang"),
                    ProblemCode.INVALID_FORMAT,
                    value=lang,
                    detail=f'"{lang}" is not a language tag such as en or sv',
                )
            )
            continue
        if lang in seen:
            problems.append(
                field.problem((*where, "lang"), ProblemCode.DUPLICATE_LANGUAGE, value=lang)
            )
            continue
        if not text or not text.strip():
            problems.append(
                field.problem((*where, "text"), ProblemCode.REQUIRED, detail="the text is empty")
            )
            continue
        if len(text.strip()) > limit:
            problems.append(
                field.problem(
                    (*where, "text"), ProblemCode.TOO_LONG, limit=limit, count=len(text.strip())
                )
            )
            continue
        seen.add(lang)
        terms.append(Literal(text.strip(), language=lang))
    return terms


def _references(
    field: InputField,
    value: Any,
    path: tuple[str, ...],
    problems: list[FieldProblem],
    limits: InputLimits,
) -> list[NamedNode]:
    indexed = not field.single
    items = value if indexed else ([value] if value is not None else [])
    terms: list[NamedNode] = []
    if indexed and _too_many(field, items, path, limits.items, problems):
        return terms
    for index, item in enumerate(items or ()):
        where = (*path, str(index)) if indexed else path
        if len(item) > limits.url:
            problems.append(
                field.problem(
                    where,
                    ProblemCode.TOO_LONG,
                    limit=limits.url,
                    count=len(item),
                    detail=f"the id is {len(item)} characters long; the limit is {limits.url}",
                )
            )
            continue
        try:
            node = resolve_reference(item, field.reference_kind)
        except ValueError:
            problems.append(
                field.problem(
                    where,
                    ProblemCode.INVALID_FORMAT,
                    value=item,
                    detail=f'"{item}" is not an IRI or an id',
                )
            )
            continue
        if node not in terms:
            terms.append(node)
    return terms


def _sources(
    field: InputField,
    value: Any,
    path: tuple[str, ...],
    problems: list[FieldProblem],
    limits: InputLimits,
) -> list[NamedNode]:
    terms: list[NamedNode] = []
    if _too_many(field, value, path, limits.items, problems):
        return terms
    for index, item in enumerate(value or ()):
        text = (item or "").strip()
        if len(text) > limits.url:
            problems.append(
                field.problem(
                    (*path, str(index)),
                    ProblemCode.TOO_LONG,
                    limit=limits.url,
                    count=len(text),
                    detail=f"the address is {len(text)} characters long; the limit is {limits.url}",
                )
            )
            continue
        try:
            if not text.startswith(("http://", "https://")):
                raise ValueError(text)
            node = NamedNode(text)
        except ValueError:
            problems.append(
                field.problem((*path, str(index)), ProblemCode.INVALID_FORMAT, value=item)
            )
            continue
        if node not in terms:
            terms.append(node)
    return terms


def _date(
    field: InputField,
    value: Any,
    path: tuple[str, ...],
    problems: list[FieldProblem],
    limits: InputLimits,
) -> list[Literal]:
    if value is None:
        return []
    text = str(value).strip()
    if len(text) > limits.name:
        problems.append(
            field.problem(
                path,
                ProblemCode.TOO_LONG,
                limit=limits.name,
                count=len(text),
                detail=f"the text is {len(text)} characters long",
            )
        )
        return []
    try:
        if re.fullmatch(r"[0-9]{4}", text):
            return [Literal(text, datatype=_GYEAR)]
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            dt.date.fromisoformat(text)
            return [Literal(text, datatype=_DATE)]
    except ValueError:
        pass
    problems.append(field.problem(path, ProblemCode.INVALID_FORMAT, value=text))
    return []


def parse_changes(
    changes: Mapping[str, Any], problems: list[FieldProblem], limits: InputLimits | None = None
) -> dict[str, list[NamedNode | Literal]]:
    """RDF values for each given field; problems are appended with their input path."""
    limits = limits or InputLimits()
    values: dict[str, list[NamedNode | Literal]] = {}
    for name, value in changes.items():
        field = PRACTICE_FIELDS[name]
        path = ("input", name)
        terms: list[Any]
        if field.kind is ValueKind.TEXTS:
            limit = limits.title if name == "title" else limits.abstract
            terms = _texts(field, value, path, problems, limit, limits)
        elif field.kind in (ValueKind.REFERENCES, ValueKind.REFERENCE):
            terms = _references(field, value, path, problems, limits)
        elif field.kind is ValueKind.DATE:
            terms = _date(field, value, path, problems, limits)
        else:
            terms = _sources(field, value, path, problems, limits)
        values[name] = [*terms]
    return values


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
