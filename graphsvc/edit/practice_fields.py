"""The input fields of a good practice: the RDF property each one sets, and how to tell a person
who filled one in wrongly what to do.

:data:`PRACTICE_FIELDS` is the one table behind the write path (which builds the practice's
triples from these fields), the GraphQL input types, the revision history (which names the
fields a change touched) and the messages of :class:`~graphsvc.edit.problems.FieldProblem`.
A SHACL result on a property of the practice is told in terms of the field that feeds that
property, so a form shows "Start year or date (date): enter one year, such as 2021, ..."
where the shape says ``dct:date`` and ``xsd:gYear``; the shape's own result stays on the
problem for clients that want the RDF terms.

Example::

    >>> PRACTICE_FIELDS["date"].say(ProblemCode.INVALID_FORMAT, value="21")
    'Start year or date (date): "21" is not a year or date; enter one year, such as 2021, or one
    date, such as 2021-05-01.'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graphsvc.edit.problems import FieldProblem, ProblemCode
from graphsvc.vocab import DCTERMS, PES, PROV

__all__ = ["PRACTICE_FIELDS", "InputField", "ValueKind", "field_of_property"]


class ValueKind(StrEnum):
    """What an input field holds, which decides how its value is read."""

    TEXTS = "texts"
    """Texts with a language tag, at most one per language."""
    REFERENCES = "references"
    """A list of references (IRIs, ids or slugs)."""
    REFERENCE = "reference"
    """One reference."""
    DATE = "date"
    """A year or a date."""
    WEB_ADDRESSES = "web addresses"
    """A list of http(s) addresses."""


@dataclass(frozen=True, slots=True)
class InputField:
    """One input field of a practice.

    ``name`` as the GraphQL input spells it; ``predicate`` the IRI of the property it sets;
    ``label`` its name in plain words; ``advice`` what to give, as an instruction; ``kind`` what
    it holds; ``noun`` what one value is ("theme", "year or date"); ``reference_kind`` the first
    segment of an id a bare slug stands for (``theme`` for ``youth-guarantee``).
    """

    name: str
    predicate: str
    label: str
    advice: str
    kind: ValueKind
    noun: str
    reference_kind: str = ""

    @property
    def single(self) -> bool:
        """Holds one value (a list field holds several)."""
        return self.kind in (ValueKind.REFERENCE, ValueKind.DATE)

    @property
    def attribute(self) -> str:
        """The Python attribute of the GraphQL input: ``targetGroups`` -> ``target_groups``."""
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in self.name)

    @property
    def a_noun(self) -> str:
        """The noun with its article: ``an event``."""
        return f"{'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun}"

    @property
    def named(self) -> str:
        """The label, with the input field's name when they differ: ``Summary (abstract)``."""
        if self.label.lower().replace(" ", "") == self.name.lower():
            return self.label
        return f"{self.label} ({self.name})"

    def say(
        self,
        code: ProblemCode,
        *,
        value: str | None = None,
        limit: int | None = None,
        count: int | None = None,
        detail: str | None = None,
    ) -> str:
        """The plain message for a problem of kind ``code`` with this field.

        ``value`` is the offending value as given, ``limit`` the bound it broke, ``count`` how
        many values (or characters) were given; ``detail`` replaces the description of what is
        wrong ("the text is empty") and keeps the advice.
        """
        shown = f'"{value}"' if value is not None else "the value"
        given = "more" if count is None else str(count)
        advice = f"; {self.advice}"
        match code:
            case _ if detail is not None:
                what = detail
            case ProblemCode.REQUIRED:
                what = "this field is required"
            case ProblemCode.TOO_MANY if limit is not None:
                what, advice = f"give at most {limit}, not {given}", ""
            case ProblemCode.TOO_MANY:
                what = "give only one"
            case ProblemCode.TOO_LONG:
                what = f"the text is {given} characters long" if count is not None else "too long"
                advice = f"; shorten it to {limit} characters at most" if limit is not None else ""
            case ProblemCode.INVALID_FORMAT:
                what = f"{shown} is not {self.a_noun}"
            case ProblemCode.DUPLICATE_LANGUAGE:
                what, advice = "give at most one text in each language", ""
                if value is not None:
                    what += f'; "{value}" comes twice'
            case ProblemCode.NOT_FOUND:
                what = f"no {self.noun} has the id {value or 'given'}"
            case ProblemCode.WRONG_KIND:
                what = f"{value or 'the value'} is not {self.a_noun}"
            case ProblemCode.NOT_ALLOWED:
                what = f"{shown} is not one of the allowed values"
            case _:
                what = "check the value"
        return f"{self.named}: {what}{advice}."

    def problem(
        self,
        path: tuple[str, ...],
        code: ProblemCode,
        *,
        value: str | None = None,
        limit: int | None = None,
        count: int | None = None,
        detail: str | None = None,
    ) -> FieldProblem:
        """A :class:`FieldProblem` at ``path`` with the message :meth:`say` gives."""
        return FieldProblem(
            path,
            self.say(code, value=value, limit=limit, count=count, detail=detail),
            code,
            self.predicate,
            value=value,
            limit=limit,
        )


PRACTICE_FIELDS: dict[str, InputField] = {
    field.name: field
    for field in (
        InputField(
            "title",
            str(DCTERMS.title),
            "Title",
            "give a title in English",
            ValueKind.TEXTS,
            "title",
        ),
        InputField(
            "abstract",
            str(DCTERMS.abstract),
            "Summary",
            "give a summary of what the practice does",
            ValueKind.TEXTS,
            "summary",
        ),
        InputField(
            "themes",
            str(DCTERMS.subject),
            "Themes",
            "choose at least one theme, such as youth-guarantee",
            ValueKind.REFERENCES,
            "theme",
            "theme",
        ),
        InputField(
            "targetGroups",
            str(DCTERMS.audience),
            "Target groups",
            "choose target groups such as young-people",
            ValueKind.REFERENCES,
            "target group",
            "target-group",
        ),
        InputField(
            "country",
            str(DCTERMS.spatial),
            "Country",
            "choose one country, by its code (FIN) or its IRI",
            ValueKind.REFERENCE,
            "country",
            "country",
        ),
        InputField(
            "pes",
            str(PROV.wasAttributedTo),
            "PES",
            "give the public employment service the practice belongs to, by its IRI or id",
            ValueKind.REFERENCE,
            "PES",
            "pes",
        ),
        InputField(
            "date",
            str(DCTERMS.date),
            "Start year or date",
            "enter one year, such as 2021, or one date, such as 2021-05-01",
            ValueKind.DATE,
            "year or date",
        ),
        InputField(
            "sources",
            str(DCTERMS.source),
            "Sources",
            "give at least one public web page about the practice, such as https://example.org/",
            ValueKind.WEB_ADDRESSES,
            "web address (http or https)",
        ),
        InputField(
            "events",
            str(PES.presentedAt),
            "Events",
            "choose events at which the practice was presented, such as wapes-world-congress-2018",
            ValueKind.REFERENCES,
            "event",
            "event",
        ),
    )
}
"""GraphQL input field -> what it holds and the RDF property it sets (data-model.md, "Good
practice")."""

_BY_PROPERTY = {field.predicate: field for field in PRACTICE_FIELDS.values()}


def field_of_property(iri: str | None) -> InputField | None:
    """The input field that sets the property ``iri``, if one does."""
    return _BY_PROPERTY.get(iri or "")
