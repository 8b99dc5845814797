"""Feedback on recommendations: a member PES marks a recommended practice useful or not relevant.

:func:`mark_recommendation` authorises (a member token: feedback is given on behalf of its PES),
checks the practice, builds the ``pes:RecommendationFeedback`` (see
:mod:`graphsvc.recommend.feedback` for the RDF), validates it with the SHACL shapes and hands it
with its PROV change record to the running service's ``commit``
(:class:`~graphsvc.edit.workspace.Workspace`), which writes both in one transaction and refreshes
the feedback index before the lock is let go. There is one mark per PES and practice:
marking again replaces the verdict, and :func:`clear_mark` withdraws it; both are recorded changes.

Errors are those of the practice edits (:mod:`graphsvc.edit.practices`): ``NotAuthorised``,
``PracticeNotFound``, ``InvalidInput`` with the argument path (``["practice"]``, ...).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC

from pyoxigraph import Literal, NamedNode, Quad

from graphsvc.edit.auth import Principal
from graphsvc.edit.practices import (
    FieldProblem,
    InvalidInput,
    NotAuthorised,
    PracticeNotFound,
    class_hierarchy,
    practice_iri,
)
from graphsvc.edit.provenance import ChangeKind, ChangeRecord, change_quads
from graphsvc.edit.workspace import Workspace
from graphsvc.recommend.feedback import FEEDBACK_GRAPH, Verdict
from graphsvc.store.base import Changeset
from graphsvc.store.loading import to_rdflib
from graphsvc.vocab import DCTERMS, ID, PES, PROV, RDF, XSD

__all__ = ["FeedbackOutcome", "clear_mark", "feedback_iri", "mark_recommendation"]

_GRAPH = NamedNode(FEEDBACK_GRAPH)
_TYPE = NamedNode(str(RDF.type))
_TYPES = (NamedNode(str(PES.RecommendationFeedback)), NamedNode(str(PROV.Entity)))
_DATETIME = NamedNode(str(XSD.dateTime))


def _always() -> bool:
    return True


@dataclass(frozen=True, slots=True)
class FeedbackOutcome:
    """A committed mark (``verdict`` None: withdrawn; ``record`` None: nothing to withdraw)."""

    iri: str
    practice: str
    pes: str
    verdict: Verdict | None
    record: ChangeRecord | None


def feedback_iri(pes: str, practice: str) -> str:
    """The one mark of ``pes`` on ``practice``: a hash of both, so marking again replaces it."""
    digest = hashlib.sha256(f"{pes}\n{practice}".encode()).hexdigest()[:20]
    return str(ID[f"feedback/{digest}"])


def _member_pes(principal: Principal) -> str:
    if principal.token is None:
        raise NotAuthorised(principal.refusal())
    if principal.token.pes is None:
        raise NotAuthorised(
            "Feedback is given on behalf of a PES: use a member token, not an admin token."
        )
    return principal.token.pes


def _practice(services: Workspace, value: str, argument: str) -> str:
    try:
        iri = practice_iri(value)
    except InvalidInput as exc:
        raise InvalidInput([replace(p, path=(argument,)) for p in exc.problems]) from None
    if iri not in services.read_model.practices:
        missing = PracticeNotFound(iri)
        missing.path = (argument,)
        raise missing
    return iri


def _label(services: Workspace, practice: str) -> str:
    record = services.read_model.practices.get(practice)
    title = record.title if record is not None else {}
    return title.get("en") or next(iter(title.values()), practice)


def mark_recommendation(
    services: Workspace,
    principal: Principal,
    practice: str,
    verdict: str,
    recommended_for: str | None = None,
    may_commit: Callable[[], bool] = _always,
) -> FeedbackOutcome:
    """Record that the member's PES finds ``practice`` useful or not relevant."""
    pes = _member_pes(principal)
    assert principal.token is not None
    try:
        judged = Verdict(verdict)
    except ValueError:
        choices = ", ".join(v.value for v in Verdict)
        raise InvalidInput(
            [FieldProblem(("verdict",), f"{verdict!r} is not a verdict; use {choices}.")]
        ) from None
    target = _practice(services, practice, "practice")
    context = _practice(services, recommended_for, "recommendedFor") if recommended_for else None
    if services.read_model.practices[target].pes == pes:
        raise InvalidInput(
            [
                FieldProblem(
                    ("practice",),
                    "This practice is your PES's own; feedback is for practices of other PES.",
                )
            ]
        )
    iri = feedback_iri(pes, target)
    node = NamedNode(iri)
    with services.write_lock:
        old = list(services.store.quads(node, None, None, _GRAPH))
        record = ChangeRecord.new(
            ChangeKind.UPDATE if old else ChangeKind.CREATE,
            principal.token,
            iri,
            f"Marked practice '{_label(services, target)}' {judged.value} for {pes}.",
            [str(PES.verdict)],
        )
        stamp = record.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        quads = [Quad(node, _TYPE, t, _GRAPH) for t in _TYPES]
        quads += [
            Quad(node, NamedNode(str(PES.feedbackOn)), NamedNode(target), _GRAPH),
            Quad(node, NamedNode(str(PES.verdict)), Literal(judged.value), _GRAPH),
            Quad(node, NamedNode(str(PROV.wasAttributedTo)), NamedNode(pes), _GRAPH),
            Quad(node, NamedNode(str(DCTERMS.created)), Literal(stamp, datatype=_DATETIME), _GRAPH),
            Quad(node, NamedNode(str(PROV.wasGeneratedBy)), NamedNode(record.iri), _GRAPH),
        ]
        if context is not None:
            quads.append(Quad(node, NamedNode(str(PES.recommendedFor)), NamedNode(context), _GRAPH))
        _validate(quads, record)
        services.commit(Changeset(remove=old, add=quads), record, frozenset({iri}), may_commit)
    return FeedbackOutcome(iri, target, pes, judged, record)


def clear_mark(
    services: Workspace,
    principal: Principal,
    practice: str,
    may_commit: Callable[[], bool] = _always,
) -> FeedbackOutcome:
    """Withdraw the member PES's mark on ``practice`` (nothing happens if there is none)."""
    pes = _member_pes(principal)
    assert principal.token is not None
    target = _practice(services, practice, "practice")
    iri = feedback_iri(pes, target)
    node = NamedNode(iri)
    with services.write_lock:
        old = list(services.store.quads(node, None, None, _GRAPH))
        if not old:
            return FeedbackOutcome(iri, target, pes, None, None)
        record = ChangeRecord.new(
            ChangeKind.DELETE,
            principal.token,
            iri,
            f"Withdrew the mark of {pes} on practice '{_label(services, target)}'.",
            [str(PES.verdict)],
        )
        services.commit(Changeset(remove=old), record, frozenset({iri}), may_commit)
    return FeedbackOutcome(iri, target, pes, None, record)


def _validate(quads: list[Quad], record: ChangeRecord) -> None:
    """SHACL-validate the mark and its change record (a failure here is a bug, not bad input:
    every value was checked above, so it is reported as such)."""
    from graphsvc.store.validation import validate

    report = validate(to_rdflib([*quads, *change_quads(record)]), ontology=class_hierarchy())
    if report.errors:
        raise InvalidInput(
            [FieldProblem(("input",), violation.message) for violation in report.errors]
        )
