"""A practice's input read into RDF terms: texts with language tags, references, a date, web
addresses, each checked and bounded.

Input values are plain Python (``{"title": [("en", "…")], "themes": ["youth-guarantee"]}``);
references may be full IRIs, ``id:``-relative paths (``theme/youth-guarantee``), bare slugs
(``youth-guarantee``), Relay global IDs or, for countries, ISO 3166-1 alpha-3 codes (``SWE``).
Every text and list is bounded (:class:`InputLimits`). :func:`parse_changes` appends one
:class:`~graphsvc.edit.problems.FieldProblem` per wrong value, with its input path and a message
in terms of the field (:mod:`graphsvc.edit.practice_fields`); nothing here reads the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode

from graphsvc.edit.practice_fields import PRACTICE_FIELDS, InputField, ValueKind
from graphsvc.edit.problems import FieldProblem, InvalidInput, ProblemCode
from graphsvc.settings import Settings
from graphsvc.vocab import EU_COUNTRY, ID, XSD

__all__ = ["InputLimits", "parse_changes", "practice_iri", "resolve_reference"]

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


def _too_long(
    field: InputField,
    text: str,
    path: tuple[str, ...],
    limit: int,
    problems: list[FieldProblem],
    detail: str | None = None,
) -> bool:
    """Report a text of more than ``limit`` characters; True when it is one."""
    if len(text) <= limit:
        return False
    problems.append(
        field.problem(path, ProblemCode.TOO_LONG, limit=limit, count=len(text), detail=detail)
    )
    return True


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
        detail = f"the language tag is {len(lang)} characters long; give a tag such as en or sv"
        if _too_long(field, lang, (*where, "lang"), limits.name, problems, detail):
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
        if _too_long(field, text.strip(), (*where, "text"), limit, problems):
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
        detail = f"the id is {len(item)} characters long; the limit is {limits.url}"
        if _too_long(field, item, where, limits.url, problems, detail):
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
        detail = f"the address is {len(text)} characters long; the limit is {limits.url}"
        if _too_long(field, text, (*path, str(index)), limits.url, problems, detail):
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
    detail = f"the text is {len(text)} characters long"
    if _too_long(field, text, path, limits.name, problems, detail):
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
