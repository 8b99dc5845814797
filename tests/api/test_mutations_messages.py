"""A refused practice edit tells a person what to fix, by the input field and in plain words, and
tells a program exactly what failed: the kind of problem, the RDF property, the focus node, the
value and, when a SHACL shape found it, the shape's own result.

Each mutation runs over HTTP through the production ``/graphql`` view and executor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, URIRef
from strawberry.types.base import get_object_definition

from graphsvc.api.mutations import CreatePracticeInput, UpdatePracticeInput
from graphsvc.edit.practice_fields import PRACTICE_FIELDS
from graphsvc.store.validation import load_shapes
from graphsvc.vocab import DCTERMS, SH

from .gql import BA, Api, local_api
from .test_mutations import practice_input, send

ERRORS = """
    errors {
      path message code property focusNode value limit
      shacl {
        focusNode resultPath value sourceShape sourceConstraintComponent resultMessage
        resultSeverity
      }
    }"""

CREATE = f"""
mutation Create($input: CreatePracticeInput!) {{
  createPractice(input: $input) {{
    __typename
    ... on PracticeCreated {{ id }}
    ... on InvalidInput {{ message path {ERRORS} }}
  }}
}}"""

UPDATE = f"""
mutation Update($id: ID!, $input: UpdatePracticeInput!) {{
  updatePractice(id: $id, input: $input) {{
    __typename
    ... on PracticeUpdated {{ id }}
    ... on InvalidInput {{ message path {ERRORS} }}
  }}
}}"""

RDF_WORDS = re.compile(r"\b(dct|xsd|rdf|rdfs|prov|pes|skos|sh|schema|org|cv):\w|@en\b|gYear")
"""What a form must never show: prefixed RDF names, language tags in Turtle, XSD datatypes."""

SHAPES = "https://w3id.org/graphsvc/shapes#GoodPracticeShape"
SH_NS = str(SH)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("mutation-messages")) as api:
        api.make_token("member-ba", "member", BA)
        yield api


def create(api: Api, **changes: Any) -> dict[str, Any]:
    """``createPractice`` as a member of BA with a valid input changed by ``changes``
    (None: the field is left out)."""
    value = practice_input("Message check", None)
    for key, change in changes.items():
        if change is None:
            value.pop(key)
        else:
            value[key] = change
    return send(api, "member-ba", CREATE, {"input": value})


def only_error(result: dict[str, Any]) -> dict[str, Any]:
    assert result["__typename"] == "InvalidInput", result
    error: dict[str, Any]
    (error,) = result["errors"]
    assert not RDF_WORDS.search(error["message"]), error["message"]
    assert result["path"] == error["path"]
    assert result["message"] == f"{'.'.join(error['path'])}: {error['message']}"
    return error


def test_a_bad_year_names_the_field_and_says_what_to_enter(api: Api) -> None:
    before = api.snapshot()
    error = only_error(create(api, date="21"))
    assert error["path"] == ["input", "date"]
    assert error["message"] == (
        'Start year or date (date): "21" is not a year or date; enter one year, such as 2021, '
        "or one date, such as 2021-05-01."
    )
    assert error["code"] == "INVALID_FORMAT"
    assert error["property"] == str(DCTERMS.date)
    assert error["value"] == "21"
    assert error["focusNode"] is None  # refused before a practice IRI was chosen
    assert error["shacl"] is None  # the write path's own check found it
    assert api.snapshot() == before


def test_a_missing_year_found_by_the_shape_keeps_the_shapes_result(api: Api) -> None:
    before = api.snapshot()
    error = only_error(create(api, date=None))
    assert error["path"] == ["input", "date"]
    assert error["message"] == (
        "Start year or date (date): this field is required; enter one year, such as 2021, "
        "or one date, such as 2021-05-01."
    )
    assert error["code"] == "REQUIRED"
    assert error["property"] == str(DCTERMS.date)
    assert error["focusNode"] == "https://w3id.org/graphsvc/id/practice/message-check"
    shacl = error["shacl"]
    assert shacl["focusNode"] == error["focusNode"]
    assert shacl["resultPath"] == str(DCTERMS.date)
    assert shacl["value"] is None
    assert shacl["sourceShape"] == SHAPES
    assert shacl["sourceConstraintComponent"] == f"{SH_NS}MinCountConstraintComponent"
    assert shacl["resultSeverity"] == "Violation"
    # the researcher's message, in RDF terms, is the shape's and stays as it is
    assert "dct:date" in shacl["resultMessage"] and "xsd:gYear" in shacl["resultMessage"]
    assert api.snapshot() == before


def test_a_bad_year_in_an_update_names_the_practice_it_concerns(api: Api) -> None:
    created = create(api)
    assert created["__typename"] == "PracticeCreated", created
    result = send(api, "member-ba", UPDATE, {"id": created["id"], "input": {"date": "soon"}})
    error = only_error(result)
    assert error["path"] == ["input", "date"]
    assert error["message"].startswith('Start year or date (date): "soon" is not a year or date')
    assert error["focusNode"] == created["id"]


@pytest.mark.parametrize(
    ("title", "component"),
    [([], None), ([{"lang": "de", "text": "Nur deutsch"}], "QualifiedMinCountConstraintComponent")],
    ids=["no title", "no English title"],
)
def test_a_missing_title_is_required_in_plain_words(
    api: Api, title: list[dict[str, str]], component: str | None
) -> None:
    error = only_error(create(api, title=title))
    assert error["path"] == ["input", "title"]
    assert error["message"] == "Title: this field is required; give a title in English."
    assert error["code"] == "REQUIRED"
    assert error["property"] == str(DCTERMS.title)
    if component is None:  # the write path sees there is no title at all
        assert error["shacl"] is None
    else:  # the shape sees there is no English one
        assert error["shacl"]["sourceConstraintComponent"] == SH_NS + component
        assert "dct:title" in error["shacl"]["resultMessage"]


@pytest.mark.parametrize(
    ("field", "label", "limit"),
    [("title", "Title", 300), ("abstract", "Summary (abstract)", 10_000)],
)
def test_a_too_long_text_says_how_long_it_may_be(
    api: Api, field: str, label: str, limit: int
) -> None:
    before = api.snapshot()
    error = only_error(create(api, **{field: [{"lang": "en", "text": "x" * (limit + 5)}]}))
    assert error["path"] == ["input", field, "0", "text"]
    assert error["message"] == (
        f"{label}: the text is {limit + 5} characters long; "
        f"shorten it to {limit} characters at most."
    )
    assert error["code"] == "TOO_LONG"
    assert error["limit"] == limit
    assert error["property"] == PRACTICE_FIELDS[field].predicate
    assert api.snapshot() == before


def test_a_reference_to_the_wrong_kind_of_thing_says_what_it_should_be(api: Api) -> None:
    error = only_error(create(api, themes=["youth-guarantee", "pes/deu-ba"]))
    assert error["path"] == ["input", "themes", "1"]
    assert error["message"] == (
        "Themes: https://w3id.org/graphsvc/id/pes/deu-ba is not a theme; "
        "choose at least one theme, such as youth-guarantee."
    )
    assert error["code"] == "WRONG_KIND"
    assert error["value"] == BA
    assert error["shacl"]["sourceConstraintComponent"] == f"{SH_NS}ClassConstraintComponent"
    assert error["shacl"]["value"] == BA


def test_every_problem_of_one_input_is_told_at_its_own_field(api: Api) -> None:
    result = create(api, date="last spring", sources=["https://example.org/", "not a web page"])
    assert result["__typename"] == "InvalidInput", result
    told = {tuple(e["path"]): (e["code"], e["message"]) for e in result["errors"]}
    assert told == {
        ("input", "date"): (
            "INVALID_FORMAT",
            'Start year or date (date): "last spring" is not a year or date; enter one year, '
            "such as 2021, or one date, such as 2021-05-01.",
        ),
        ("input", "sources", "1"): (
            "INVALID_FORMAT",
            'Sources: "not a web page" is not a web address (http or https); give at least one '
            "public web page about the practice, such as https://example.org/.",
        ),
    }
    assert all(not RDF_WORDS.search(message) for _code, message in told.values())


def test_the_field_table_covers_both_input_types_and_the_practice_shape() -> None:
    """One table (``PRACTICE_FIELDS``) names the input fields and the properties they set."""
    for input_type in (CreatePracticeInput, UpdatePracticeInput):
        names = {f.python_name for f in get_object_definition(input_type, strict=True).fields}
        assert names == {field.attribute for field in PRACTICE_FIELDS.values()}
    shapes: Graph = load_shapes()
    shape = URIRef(SHAPES)
    paths = {str(shapes.value(prop, SH.path)) for prop in shapes.objects(shape, SH.property)}
    assert {field.predicate for field in PRACTICE_FIELDS.values()} <= paths
