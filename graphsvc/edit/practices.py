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
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions
from rdflib import Graph

from graphsvc.edit.auth import Principal
from graphsvc.edit.provenance import PROVENANCE_GRAPH, ChangeKind, ChangeRecord, change_quads
from graphsvc.edit.workspace import Workspace
from graphsvc.errors import GraphsvcError, InputError, NotFoundError
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset, GraphStore
from graphsvc.store.loading import to_rdflib
from graphsvc.vocab import (
    DCTERMS,
    EU_COUNTRY,
    ID,
    PES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    XSD,
    graph_iri,
    slugify,
)

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
    "title": NamedNode(str(DCTERMS.title)),
    "abstract": NamedNode(str(DCTERMS.abstract)),
    "themes": NamedNode(str(DCTERMS.subject)),
    "targetGroups": NamedNode(str(DCTERMS.audience)),
    "country": NamedNode(str(DCTERMS.spatial)),
    "pes": NamedNode(str(PROV.wasAttributedTo)),
    "date": NamedNode(str(DCTERMS.date)),
    "sources": NamedNode(str(DCTERMS.source)),
    "events": NamedNode(str(PES.presentedAt)),
}
"""GraphQL input field -> the RDF property it sets (data-model.md, "Good practice")."""

_FIELD_OF = {p.value: name for name, p in FIELDS.items()}
_TYPE = NamedNode(str(RDF.type))
_PRACTICE_TYPES = (NamedNode(str(PES.GoodPractice)), NamedNode(str(SCHEMA.CreativeWork)))
_GYEAR = NamedNode(str(XSD.gYear))
_DATE = NamedNode(str(XSD.date))
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SINGLE_VALUED = frozenset({"country", "pes", "date"})
_KIND = {"themes": "theme", "targetGroups": "target-group", "pes": "pes", "events": "event"}


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


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one input field; ``path`` as a form names it: ``("input", "themes", "1")``."""

    path: tuple[str, ...]
    message: str


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
        raise InvalidInput([FieldProblem(("id",), _too_long("The id", len(value), limit))])
    try:
        return resolve_reference(value, "practice").value
    except ValueError:
        raise InvalidInput(
            [FieldProblem(("id",), f"{value!r} is not a practice IRI or id.")]
        ) from None


def _too_long(what: str, length: int, limit: int) -> str:
    return f"{what} is {length} characters long; the limit is {limit}."


def _too_many(value: Any, path: tuple[str, ...], limit: int, problems: list[FieldProblem]) -> bool:
    """Report a list of more than ``limit`` items; True when it is one."""
    if value is not None and len(value) > limit:
        problems.append(FieldProblem(path, f"Give at most {limit} items, not {len(value)}."))
        return True
    return False


def _texts(
    value: Any, path: tuple[str, ...], problems: list[FieldProblem], limit: int, limits: InputLimits
) -> list[Literal]:
    terms: list[Literal] = []
    seen: set[str] = set()
    if _too_many(value, path, limits.items, problems):
        return terms
    for index, (lang, text) in enumerate(value or ()):
        where = (*path, str(index))
        lang = (lang or "").strip().lower()
        if len(lang) > limits.name:
            problems.append(
                FieldProblem(
                    (*where, "lang"), _too_long("The language tag", len(lang), limits.name)
                )
            )
            continue
        if not _LANG.match(lang):
            problems.append(
                FieldProblem((*where, "lang"), f"{lang!r} is not a language tag such as en or sv.")
            )
            continue
        if lang in seen:
            problems.append(FieldProblem((*where, "lang"), f"Give at most one text in '{lang}'."))
            continue
        if not text or not text.strip():
            problems.append(FieldProblem((*where, "text"), "The text is empty."))
            continue
        if len(text.strip()) > limit:
            problems.append(
                FieldProblem((*where, "text"), _too_long("The text", len(text.strip()), limit))
            )
            continue
        seen.add(lang)
        terms.append(Literal(text.strip(), language=lang))
    return terms


def _references(
    value: Any,
    kind: str,
    path: tuple[str, ...],
    problems: list[FieldProblem],
    indexed: bool,
    limits: InputLimits,
) -> list[NamedNode]:
    items = value if indexed else ([value] if value is not None else [])
    terms: list[NamedNode] = []
    if indexed and _too_many(items, path, limits.items, problems):
        return terms
    for index, item in enumerate(items or ()):
        where = (*path, str(index)) if indexed else path
        if len(item) > limits.url:
            problems.append(FieldProblem(where, _too_long("The id", len(item), limits.url)))
            continue
        try:
            node = resolve_reference(item, kind)
        except ValueError:
            problems.append(FieldProblem(where, f"{item!r} is not an IRI or an id."))
            continue
        if node not in terms:
            terms.append(node)
    return terms


def _sources(
    value: Any, path: tuple[str, ...], problems: list[FieldProblem], limits: InputLimits
) -> list[NamedNode]:
    terms: list[NamedNode] = []
    if _too_many(value, path, limits.items, problems):
        return terms
    for index, item in enumerate(value or ()):
        text = (item or "").strip()
        if len(text) > limits.url:
            problems.append(
                FieldProblem((*path, str(index)), _too_long("The address", len(text), limits.url))
            )
            continue
        try:
            if not text.startswith(("http://", "https://")):
                raise ValueError(text)
            node = NamedNode(text)
        except ValueError:
            problems.append(
                FieldProblem((*path, str(index)), f"{item!r} is not a web address (http or https).")
            )
            continue
        if node not in terms:
            terms.append(node)
    return terms


def _date(
    value: Any, path: tuple[str, ...], problems: list[FieldProblem], limits: InputLimits
) -> list[Literal]:
    if value is None:
        return []
    text = str(value).strip()
    if len(text) > limits.name:
        problems.append(FieldProblem(path, _too_long("The date", len(text), limits.name)))
        return []
    try:
        if re.fullmatch(r"[0-9]{4}", text):
            return [Literal(text, datatype=_GYEAR)]
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            dt.date.fromisoformat(text)
            return [Literal(text, datatype=_DATE)]
    except ValueError:
        pass
    problems.append(
        FieldProblem(path, f"{text!r}: give the year (2019) or the date (2019-05-01) it started.")
    )
    return []


def parse_changes(
    changes: Mapping[str, Any], problems: list[FieldProblem], limits: InputLimits | None = None
) -> dict[str, list[NamedNode | Literal]]:
    """RDF values for each given field; problems are appended with their input path."""
    limits = limits or InputLimits()
    values: dict[str, list[NamedNode | Literal]] = {}
    for name, value in changes.items():
        path = ("input", name)
        terms: list[Any]
        if name == "title":
            terms = _texts(value, path, problems, limits.title, limits)
        elif name == "abstract":
            terms = _texts(value, path, problems, limits.abstract, limits)
        elif name in ("themes", "targetGroups", "events"):
            terms = _references(value, _KIND[name], path, problems, True, limits)
        elif name in ("country", "pes"):
            terms = _references(value, name, path, problems, False, limits)
        elif name == "date":
            terms = _date(value, path, problems, limits)
        elif name == "sources":
            terms = _sources(value, path, problems, limits)
        else:
            raise KeyError(name)
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


_NOUN = {
    "themes": "theme",
    "targetGroups": "target group",
    "country": "country",
    "pes": "PES",
    "events": "event",
}


def _unknown_references(
    given: Mapping[str, Sequence[NamedNode | Literal]], known: set[str]
) -> list[FieldProblem]:
    """A problem for each referenced resource the store does not describe at all."""
    problems = []
    for name, noun in _NOUN.items():
        terms = given.get(name, ())
        for index, term in enumerate(terms):
            if isinstance(term, NamedNode) and term.value not in known:
                where = ("input", name) if name in _SINGLE_VALUED else ("input", name, str(index))
                problems.append(FieldProblem(where, f"No {noun} has the id {term.value}."))
    return problems


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

    A reference to a resource the store does not know is reported as such ("No theme has the id
    …") rather than as the shape's general message, and SHACL results on the same field are not
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
        path: tuple[str, ...] = ("input",)
        name = _FIELD_OF.get(violation.path or "") if violation.focus_node == node.value else None
        if name is not None:
            path = ("input", name)
            if name not in _SINGLE_VALUED:
                for index, term in enumerate(given.get(name, ())):
                    shown = term.value if isinstance(term, NamedNode) else str(term)
                    if violation.value is not None and violation.value == shown:
                        path = ("input", name, str(index))
                        break
        if path[:2] in reported:
            continue
        problems.append(FieldProblem(path, violation.message))
    if problems:
        raise InvalidInput(problems)


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
    if not values.get("pes") and not any(p.path[:2] == ("input", "pes") for p in problems):
        problems.append(
            FieldProblem(("input", "pes"), "Give the PES the practice belongs to (its IRI or id).")
        )
    if not values.get("title") and not any(p.path[:2] == ("input", "title") for p in problems):
        problems.append(FieldProblem(("input", "title"), "A practice needs an English title."))
    if problems:
        raise InvalidInput(problems)
    store = services.store
    with services.write_lock:
        try:
            node = _mint(store, values["title"])  # type: ignore[arg-type]
        except ValueError:
            raise InvalidInput(
                [FieldProblem(("input", "title"), "The title needs letters or digits.")]
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
            raise InvalidInput(problems)
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
