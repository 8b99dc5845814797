"""GraphQL mutations: create, update and delete a good practice.

Each mutation returns a union: the payload on success, or an expected failure a form can show —
``NotAuthorised``, ``NotFound`` or ``InvalidInput`` (one ``FieldError`` per problem, with the
input path such as ``["input", "themes", "1"]``). Unexpected failures are masked GraphQL errors.

A ``FieldError`` speaks to two readers: ``message`` tells a person, in plain words and by the
input field's name, what to fix ("Start year or date (date): "21" is not a year or date; enter
one year, such as 2021, ..."); ``code``, ``property``, ``focusNode``, ``value``, ``limit`` and,
when a SHACL shape found the problem, ``shacl`` (the validation result in the shapes' own terms)
let a program act on it or a form translate it.

The mutations are thin: the write path (:mod:`graphsvc.edit.practices`) authorises, builds,
validates and hands the change to ``Services.commit``, which writes it with its PROV record and
refreshes the read model and the recommendation index before the payload is resolved.

A write either commits and is answered as done, or does not happen: right before the transaction
the write asks the request's deadline (``Deadline.begin_commit``), which from then on cannot fire;
and the refresh runs in a task of its own, so even a request that is cancelled after the commit
leaves the read model told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
import strawberry
from strawberry.types.unset import UNSET

from graphsvc.api.context import Context
from graphsvc.api.history import Revision
from graphsvc.api.types import Practice
from graphsvc.api.types.base import wrap
from graphsvc.edit.auth import ANONYMOUS, Principal
from graphsvc.edit.practice_fields import PRACTICE_FIELDS
from graphsvc.edit.practices import (
    EditOutcome,
    InvalidInput,
    NotAuthorised,
    PracticeNotFound,
    create_practice,
    delete_practice,
    update_practice,
)
from graphsvc.edit.problems import FieldProblem, ProblemCode

__all__ = [
    "CreatePracticeInput",
    "EditingQuery",
    "FieldError",
    "FieldErrorCode",
    "InvalidInputError",
    "LocalizedTextInput",
    "Mutation",
    "MutationError",
    "NotAuthorisedError",
    "NotFoundError",
    "ShaclResult",
    "UpdatePracticeInput",
    "Viewer",
]

Info = strawberry.Info[Context, None]
Work = Callable[[Callable[[], bool]], EditOutcome]
"""An edit of :mod:`graphsvc.edit.practices` waiting for its ``may_commit``."""

log = logging.getLogger(__name__)


# -- inputs ----------------------------------------------------------------------------------


@strawberry.input(description="A text in one language.")
class LocalizedTextInput:
    lang: str = strawberry.field(default="en", description="BCP 47 language tag, e.g. en, sv.")
    text: str


@strawberry.input(description="A new good practice. References accept an IRI or an id.")
class CreatePracticeInput:
    title: list[LocalizedTextInput] = strawberry.field(
        description="Titles, at most one per language; an English one is required."
    )
    abstract: list[LocalizedTextInput] = strawberry.field(default_factory=list)
    themes: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="At least one theme, e.g. youth-guarantee."
    )
    target_groups: list[strawberry.ID] = strawberry.field(default_factory=list)
    country: strawberry.ID | None = strawberry.field(
        default=None, description="The country: an IRI or an ISO 3166-1 alpha-3 code (SWE)."
    )
    pes: strawberry.ID | None = strawberry.field(
        default=None, description="The PES it belongs to; a member token's own PES by default."
    )
    date: str | None = strawberry.field(
        default=None, description="The year (2019) or the date (2019-05-01) it started."
    )
    sources: list[str] = strawberry.field(
        default_factory=list, description="Public web pages that document it (at least one)."
    )
    events: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Events at which it was presented."
    )


@strawberry.input(description="Fields to change; a field left out keeps its value, null clears it.")
class UpdatePracticeInput:
    title: list[LocalizedTextInput] | None = UNSET
    abstract: list[LocalizedTextInput] | None = UNSET
    themes: list[strawberry.ID] | None = UNSET
    target_groups: list[strawberry.ID] | None = UNSET
    country: strawberry.ID | None = UNSET
    pes: strawberry.ID | None = UNSET
    date: str | None = UNSET
    sources: list[str] | None = UNSET
    events: list[strawberry.ID] | None = UNSET


_INPUT_FIELDS = {field.attribute: name for name, field in PRACTICE_FIELDS.items()}
"""Attribute of the input types -> the practice's input field (both input types have them all)."""


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, LocalizedTextInput):
        return (value.lang, value.text)
    return None if value is None else str(value)


_SINGLE = frozenset(name for name, field in PRACTICE_FIELDS.items() if field.single)


def _changes(data: CreatePracticeInput | UpdatePracticeInput, *, create: bool) -> dict[str, Any]:
    """The given fields as plain values; for an update, null clears a field."""
    changes: dict[str, Any] = {}
    for attribute, name in _INPUT_FIELDS.items():
        value = getattr(data, attribute)
        if value is UNSET or (create and value in (None, [])):
            continue
        if value is None:
            changes[name] = None if name in _SINGLE else []
        else:
            changes[name] = _plain(value)
    return changes


# -- results ---------------------------------------------------------------------------------


@strawberry.interface(description="An expected failure of a mutation, to show to the user.")
class MutationError:
    message: str
    path: list[str] = strawberry.field(
        description="Where the problem is in the mutation's arguments; empty for the whole request."
    )


@strawberry.type(name="NotAuthorised", description="The token may not make this change.")
class NotAuthorisedError(MutationError):
    pass


@strawberry.type(name="NotFound", description="No practice has this id.")
class NotFoundError(MutationError):
    id: strawberry.ID


FieldErrorCode = strawberry.enum(
    ProblemCode,
    name="FieldErrorCode",
    description="The kind of problem with an input field, whichever check found it: REQUIRED "
    "(missing or empty), TOO_MANY, TOO_LONG, INVALID_FORMAT (not a year, a web address, a "
    "language tag, ...), DUPLICATE_LANGUAGE, NOT_FOUND (a reference to nothing known), "
    "WRONG_KIND (a reference to a resource of another kind), NOT_ALLOWED, INVALID.",
)


@strawberry.type(
    description="A SHACL validation result (ontology/shapes.ttl), in the shapes' own terms."
)
class ShaclResult:
    focus_node: str = strawberry.field(description="IRI of the resource the shape judged.")
    result_path: str | None = strawberry.field(
        description="IRI of the property, or a SPARQL property path; null for a node check."
    )
    value: str | None = strawberry.field(
        description="The offending value: an IRI or a literal in N-Triples form."
    )
    source_shape: str | None = strawberry.field(description="IRI of the node shape.")
    source_constraint_component: str | None = strawberry.field(
        description="IRI of the constraint component that failed, e.g. sh:MinCountConstraintComponent."
    )
    result_message: str = strawberry.field(description="The shape's sh:message, in RDF terms.")
    result_severity: str = strawberry.field(description="Violation, Warning or Info.")


@strawberry.type(description="One problem with one input field.")
class FieldError:
    path: list[str] = strawberry.field(description='Input path, e.g. ["input", "themes", "1"].')
    message: str = strawberry.field(
        description="What to fix, in plain words, naming the input field."
    )
    code: ProblemCode = strawberry.field(
        default=ProblemCode.INVALID, description="The kind of problem, for a program or a form."
    )
    property: str | None = strawberry.field(
        default=None, description="IRI of the RDF property the input field sets."
    )
    focus_node: str | None = strawberry.field(
        default=None,
        description="IRI of the resource the change concerns (for a new practice, the IRI it "
        "would have had); null when the input was refused before one was chosen.",
    )
    value: str | None = strawberry.field(default=None, description="The offending value as given.")
    limit: int | None = strawberry.field(
        default=None, description="The bound the value broke: a number of characters or items."
    )
    shacl: ShaclResult | None = strawberry.field(
        default=None, description="The SHACL result behind the problem, when a shape found it."
    )

    @classmethod
    def of(cls, problem: FieldProblem) -> FieldError:
        violation = problem.violation
        return cls(
            path=list(problem.path),
            message=problem.message,
            code=problem.code,
            property=problem.property,
            focus_node=problem.focus_node,
            value=problem.value,
            limit=problem.limit,
            shacl=None
            if violation is None
            else ShaclResult(
                focus_node=violation.focus_node,
                result_path=violation.path,
                value=violation.value,
                source_shape=violation.shape,
                source_constraint_component=violation.constraint,
                result_message=violation.message,
                result_severity=violation.severity,
            ),
        )


@strawberry.type(name="InvalidInput", description="The input does not describe a valid practice.")
class InvalidInputError(MutationError):
    errors: list[FieldError]

    @classmethod
    def of(cls, exc: InvalidInput) -> InvalidInputError:
        return cls(
            message=str(exc),
            path=list(exc.problems[0].path),
            errors=[FieldError.of(p) for p in exc.problems],
        )


@strawberry.type(description="A practice was created.")
class PracticeCreated:
    id: strawberry.ID = strawberry.field(description="The minted IRI, id:practice/<slug>.")
    revision: Revision
    practice: Practice | None = strawberry.field(description="The new practice as stored.")


@strawberry.type(description="A practice was updated.")
class PracticeUpdated:
    id: strawberry.ID
    revision: Revision | None = strawberry.field(
        description="The change record; null when the input changed nothing."
    )
    practice: Practice | None = strawberry.field(description="The practice as stored now.")


@strawberry.type(description="A practice was deleted; its history remains.")
class PracticeDeleted:
    id: strawberry.ID
    revision: Revision


CreatePracticeResult = Annotated[
    PracticeCreated | NotAuthorisedError | InvalidInputError,
    strawberry.union("CreatePracticeResult"),
]
UpdatePracticeResult = Annotated[
    PracticeUpdated | NotAuthorisedError | NotFoundError | InvalidInputError,
    strawberry.union("UpdatePracticeResult"),
]
DeletePracticeResult = Annotated[
    PracticeDeleted | NotAuthorisedError | NotFoundError | InvalidInputError,
    strawberry.union("DeletePracticeResult"),
]

Failure = NotAuthorisedError | NotFoundError | InvalidInputError


def _principal(info: Info) -> Principal:
    principal = getattr(info.context, "principal", ANONYMOUS)
    return principal if isinstance(principal, Principal) else ANONYMOUS


def _always() -> bool:
    return True


async def _write(info: Info, work: Work) -> EditOutcome:
    """Run ``work`` in a worker thread (its commit refreshes the derived state on this loop)."""
    deadline = info.context.deadline
    may_commit = deadline.begin_commit if deadline is not None else _always
    return await anyio.to_thread.run_sync(work, may_commit)


def _settle(task: asyncio.Task[EditOutcome]) -> None:
    """Retrieve the outcome of a write nobody awaits any more (its request was cancelled)."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("an abandoned write ended with %r", task.exception())


async def _run(info: Info, work: Work) -> EditOutcome | Failure:
    """Run ``work`` off the event loop; refresh derived state; turn expected errors into results."""
    task = asyncio.ensure_future(_write(info, work))
    task.add_done_callback(_settle)
    try:
        # shielded: a commit already under way when the request is cancelled still ends
        # in the refresh of the read model and the recommendation index
        outcome = await asyncio.shield(task)
    except NotAuthorised as exc:
        return NotAuthorisedError(message=str(exc), path=list(exc.path))
    except PracticeNotFound as exc:
        return NotFoundError(
            message=f"No practice has the id {exc.iri}.",
            path=list(exc.path),
            id=strawberry.ID(exc.iri),
        )
    except InvalidInput as exc:
        return InvalidInputError.of(exc)
    return outcome


def _practice(info: Info, iri: str) -> Practice | None:
    """The practice from the refreshed read model."""
    found: Practice | None = wrap(
        "Practice", info.context, info.context.read_model.practices.get(iri)
    )
    return found


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a good practice (member tokens: for their own PES).")
    async def create_practice(self, info: Info, input: CreatePracticeInput) -> CreatePracticeResult:
        principal = _principal(info)
        result = await _run(
            info,
            partial(
                create_practice, info.context.services, principal, _changes(input, create=True)
            ),
        )
        if isinstance(result, NotAuthorisedError | InvalidInputError):
            return result
        assert isinstance(result, EditOutcome) and result.record is not None
        return PracticeCreated(
            id=strawberry.ID(result.iri),
            revision=Revision.from_record(result.record),
            practice=_practice(info, result.iri),
        )

    @strawberry.mutation(description="Change some fields of a practice.")
    async def update_practice(
        self, info: Info, id: strawberry.ID, input: UpdatePracticeInput
    ) -> UpdatePracticeResult:
        principal = _principal(info)
        result = await _run(
            info,
            partial(
                update_practice,
                info.context.services,
                principal,
                str(id),
                _changes(input, create=False),
            ),
        )
        if not isinstance(result, EditOutcome):
            return result
        revision = Revision.from_record(result.record) if result.record else None
        return PracticeUpdated(
            id=strawberry.ID(result.iri), revision=revision, practice=_practice(info, result.iri)
        )

    @strawberry.mutation(description="Delete a practice; its revision history is kept.")
    async def delete_practice(self, info: Info, id: strawberry.ID) -> DeletePracticeResult:
        principal = _principal(info)
        result = await _run(
            info, partial(delete_practice, info.context.services, principal, str(id))
        )
        if not isinstance(result, EditOutcome):
            return result
        assert result.record is not None
        return PracticeDeleted(
            id=strawberry.ID(result.iri), revision=Revision.from_record(result.record)
        )


# -- who am I --------------------------------------------------------------------------------


@strawberry.type(description="The API token a request was made with.")
class Viewer:
    token_id: strawberry.ID
    name: str
    role: str = strawberry.field(description="member or admin.")
    pes: strawberry.ID | None = strawberry.field(description="The PES a member token edits for.")


@strawberry.type
class EditingQuery:
    @strawberry.field(
        description="The token of this request, so a front end can show what it may edit; "
        "null without a valid token."
    )
    def viewer(self, info: Info) -> Viewer | None:
        token = _principal(info).token
        if token is None:
            return None
        return Viewer(
            token_id=strawberry.ID(token.id),
            name=token.name,
            role=token.role,
            pes=strawberry.ID(token.pes) if token.pes else None,
        )
