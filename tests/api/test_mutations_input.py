"""Bad mutation input: a typed ``InvalidInput`` with the field path and a message a form can show,
and nothing written. Input the schema itself rejects (a missing required field, a wrong type) is a
GraphQL request error instead, answered ``400`` before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .gql import BA, GRAPHQL_RESPONSE, Api, local_api
from .test_mutations import CREATE, DELETE, UPDATE, practice_input, send


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("mutation-input")) as api:
        api.make_token("admin", "admin")
        api.make_token("member-ba", "member", BA)
        yield api


def with_changes(**changes: Any) -> dict[str, Any]:
    value = practice_input("Input check", BA)
    for key, change in changes.items():
        if change is None:
            value.pop(key, None)
        else:
            value[key] = change
    return value


# (case, input, expected paths of the problems, a word each message must contain)
CREATE_CASES: list[tuple[str, dict[str, Any], list[list[str]], str]] = [
    (
        "unknown theme",
        with_changes(themes=["youth-guarantee", "no-such-theme"]),
        [["input", "themes", "1"]],
        "theme",
    ),
    (
        "not a theme",
        with_changes(themes=["pes/deu-ba"]),
        [["input", "themes", "0"]],
        "theme",
    ),
    ("no theme", with_changes(themes=[]), [["input", "themes"]], "theme"),
    ("missing title", with_changes(title=[]), [["input", "title"]], "title"),
    (
        "no English title",
        with_changes(title=[{"lang": "de", "text": "Nur deutsch"}]),
        [["input", "title"]],
        "English",
    ),
    (
        "empty title text",
        with_changes(title=[{"lang": "en", "text": "   "}]),
        [["input", "title", "0", "text"]],
        "empty",
    ),
    (
        "bad language tag",
        with_changes(title=[{"lang": "en", "text": "Fine"}, {"lang": "not a tag", "text": "x"}]),
        [["input", "title", "1", "lang"]],
        "language",
    ),
    (
        "two titles in one language",
        with_changes(title=[{"lang": "en", "text": "One"}, {"lang": "EN", "text": "Two"}]),
        [["input", "title", "1", "lang"]],
        "at most one",
    ),
    ("bad date", with_changes(date="2019-13-45"), [["input", "date"]], "date"),
    ("date in words", with_changes(date="last spring"), [["input", "date"]], "year"),
    (
        "bad source",
        with_changes(sources=["https://example.org/ok", "ftp://example.org/file"]),
        [["input", "sources", "1"]],
        "web address",
    ),
    ("unknown country", with_changes(country="XXX"), [["input", "country"]], "country"),
    ("no country", with_changes(country=None), [["input", "country"]], "country"),
    (
        "unknown event",
        with_changes(events=["event/no-such-event"]),
        [["input", "events", "0"]],
        "event",
    ),
    ("unknown PES", with_changes(pes="pes/no-such-pes"), [["input", "pes"]], "PES"),
    ("an admin names no PES", with_changes(pes=None), [["input", "pes"]], "PES"),
    (
        "several problems at once",
        with_changes(date="soon", sources=["not a url"]),
        [["input", "date"], ["input", "sources", "0"]],
        "",
    ),
]


@pytest.mark.parametrize(
    ("value", "paths", "word"),
    [case[1:] for case in CREATE_CASES],
    ids=[case[0] for case in CREATE_CASES],
)
def test_invalid_create_input_is_reported_per_field_and_writes_nothing(
    api: Api, value: dict[str, Any], paths: list[list[str]], word: str
) -> None:
    before = api.snapshot()
    result = send(api, "admin", CREATE, {"input": value})
    assert result["__typename"] == "InvalidInput", result
    assert [e["path"] for e in result["errors"]] == paths, result
    assert result["path"] == paths[0]
    assert all(e["message"] for e in result["errors"])
    assert word.lower() in result["errors"][0]["message"].lower()
    assert result["message"].startswith(".".join(paths[0]))
    assert api.snapshot() == before, "an invalid mutation wrote to the store"


def test_a_valid_create_after_the_invalid_ones_works(api: Api) -> None:
    result = send(api, "admin", CREATE, {"input": with_changes()})
    assert result["__typename"] == "PracticeCreated", result


UPDATE_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("bad date", {"date": "2019-02-30"}, ["input", "date"]),
    ("clear the title", {"title": None}, ["input", "title"]),
    ("no themes left", {"themes": []}, ["input", "themes"]),
    ("unknown theme", {"themes": ["green-transition", "nope"]}, ["input", "themes", "1"]),
    ("clear the country", {"country": None}, ["input", "country"]),
    ("bad source", {"sources": ["mailto:someone@example.org"]}, ["input", "sources", "0"]),
]


@pytest.mark.parametrize(
    ("changes", "path"), [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES]
)
def test_invalid_update_input_is_reported_and_writes_nothing(
    api: Api, changes: dict[str, Any], path: list[str]
) -> None:
    created = send(api, "member-ba", CREATE, {"input": with_changes(pes=None)})
    assert created["__typename"] == "PracticeCreated", created
    before = api.snapshot()
    result = send(api, "member-ba", UPDATE, {"id": created["id"], "input": changes})
    assert result["__typename"] == "InvalidInput", result
    assert result["errors"][0]["path"] == path, result
    assert api.snapshot() == before


@pytest.mark.parametrize("bad_id", ["has spaces in it", "<angle>", ""])
def test_an_id_that_is_no_iri_is_invalid_input(api: Api, bad_id: str) -> None:
    before = api.snapshot()
    for query, variables in (
        (DELETE, {"id": bad_id}),
        (UPDATE, {"id": bad_id, "input": {"date": "2020"}}),
    ):
        result = send(api, "admin", query, variables)
        assert result["__typename"] == "InvalidInput", result
        assert result["path"] == ["id"]
    assert api.snapshot() == before


@pytest.mark.parametrize(
    "variables",
    [
        {"input": {"themes": ["youth-guarantee"]}},  # title is required by the schema
        {"input": {"title": "not a list of texts"}},
        {"input": {**practice_input("x", BA), "unknownField": 1}},
        {},
    ],
    ids=["missing title", "title of the wrong type", "unknown field", "no input"],
)
def test_input_the_schema_rejects_is_a_request_error(api: Api, variables: dict[str, Any]) -> None:
    before = api.snapshot()
    response = api.post(CREATE, variables, token=api.tokens["admin"])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]
    assert "$input" in body["errors"][0]["message"] or "input" in body["errors"][0]["message"]
    assert api.snapshot() == before
    # with plain application/json the same request error is a 200
    legacy = api.post(CREATE, variables, token=api.tokens["admin"], accept="application/json")
    assert legacy.status_code == 200
    assert legacy.json()["errors"]
