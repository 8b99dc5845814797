"""What is wrong with one input field: a plain message for a person, the exact terms for a program.

A :class:`FieldProblem` names the input path (``("input", "date")``), says in plain words what to
fix, and keeps what a client that speaks RDF needs to act on it: a :class:`ProblemCode` (the kind
of problem, which a form translates), the property the field sets, the offending value, the
limit it broke and, when a SHACL shape found it, the shape's own result (:class:`Violation`:
focus node, path, constraint component, the shape's message).

:func:`code_of` sorts SHACL results into the same kinds as the write path's own checks, from
the constraint component that failed (``sh:MinCountConstraintComponent`` -> ``REQUIRED``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from graphsvc.errors import InputError
from graphsvc.vocab import SH

if TYPE_CHECKING:
    from graphsvc.store.validation import Violation

__all__ = ["FieldProblem", "InvalidInput", "ProblemCode", "code_of"]


class ProblemCode(StrEnum):
    """The kind of a problem, the same whichever check found it."""

    REQUIRED = "REQUIRED"
    """A value is missing, or empty."""
    TOO_MANY = "TOO_MANY"
    """More values than the field takes."""
    TOO_LONG = "TOO_LONG"
    """A text longer than its limit."""
    INVALID_FORMAT = "INVALID_FORMAT"
    """A value of the wrong form: not a year, not a web address, not a language tag."""
    DUPLICATE_LANGUAGE = "DUPLICATE_LANGUAGE"
    """Two texts in one language where one is allowed."""
    NOT_FOUND = "NOT_FOUND"
    """A reference to nothing the graph describes."""
    WRONG_KIND = "WRONG_KIND"
    """A reference to a resource of another kind (a PES where a theme is asked for)."""
    NOT_ALLOWED = "NOT_ALLOWED"
    """A value outside the allowed list."""
    INVALID = "INVALID"
    """Anything else."""


_BY_COMPONENT: dict[str, ProblemCode] = {
    str(SH[name]): code
    for names, code in (
        (
            ("MinCountConstraintComponent", "QualifiedMinCountConstraintComponent"),
            ProblemCode.REQUIRED,
        ),
        (
            ("MaxCountConstraintComponent", "QualifiedMaxCountConstraintComponent"),
            ProblemCode.TOO_MANY,
        ),
        (("MaxLengthConstraintComponent",), ProblemCode.TOO_LONG),
        (
            (
                "DatatypeConstraintComponent",
                "PatternConstraintComponent",
                "NodeKindConstraintComponent",
                "LanguageInConstraintComponent",
                "MinLengthConstraintComponent",
                "OrConstraintComponent",
                "XoneConstraintComponent",
                "MinInclusiveConstraintComponent",
                "MaxInclusiveConstraintComponent",
                "MinExclusiveConstraintComponent",
                "MaxExclusiveConstraintComponent",
            ),
            ProblemCode.INVALID_FORMAT,
        ),
        (("UniqueLangConstraintComponent",), ProblemCode.DUPLICATE_LANGUAGE),
        (("ClassConstraintComponent",), ProblemCode.WRONG_KIND),
        (("InConstraintComponent", "HasValueConstraintComponent"), ProblemCode.NOT_ALLOWED),
    )
    for name in names
}


def code_of(violation: Violation) -> ProblemCode:
    """The kind of problem a SHACL result reports, from its constraint component."""
    return _BY_COMPONENT.get(violation.constraint or "", ProblemCode.INVALID)


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one input field.

    ``path`` as a form names it: ``("input", "themes", "1")``; ``message`` in plain words,
    naming the field; ``code`` the kind of problem; ``property`` the IRI of the RDF property the
    field sets; ``focus_node`` the IRI of the resource being changed, when it is known;
    ``value`` the offending value as given; ``limit`` the bound it broke (a length, a count);
    ``violation`` the SHACL result behind it, if a shape found it.
    """

    path: tuple[str, ...]
    message: str
    code: ProblemCode = ProblemCode.INVALID
    property: str | None = None
    focus_node: str | None = None
    value: str | None = None
    limit: int | None = None
    violation: Violation | None = None


class InvalidInput(InputError):
    """The input is refused: one :class:`FieldProblem` per wrong value, the first in the text."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{'.'.join(first.path)}: {first.message}{more}")
        self.problems = tuple(problems)
