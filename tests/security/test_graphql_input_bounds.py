"""Attack: mutation inputs of any size — a megabyte title, ten thousand themes, a URL as long as
the body allows — that the write path would parse, validate with SHACL and store under the write
lock.

Every text input has a maximum length and every list a maximum number of items, each a setting
(``GRAPHSVC_MAX_TITLE_LENGTH``, ``…_ABSTRACT_…``, ``…_NAME_…``, ``…_URL_…``,
``GRAPHSVC_MAX_INPUT_ITEMS``). A value over its bound is an ``InvalidInput`` whose error names the
field path and the limit; nothing is written, and the service still answers ``/healthz``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api.gql import BA, Api
from api.test_mutations import CREATE as PLAIN_CREATE
from api.test_mutations import DELETE, practice_input
from api.test_mutations import UPDATE as PLAIN_UPDATE

from graphsvc.settings import Settings

from .graphql_attack import attacked_api, post
from .wire import assert_healthy

# each problem also as a program reads it: its code and the bound it broke
_PROBLEM = "errors { path message }"
CREATE = PLAIN_CREATE.replace(_PROBLEM, "errors { path message code limit }")
UPDATE = PLAIN_UPDATE.replace(_PROBLEM, "errors { path message code limit }")

DEFAULTS = Settings()
TITLE, ABSTRACT = DEFAULTS.max_title_length, DEFAULTS.max_abstract_length
NAME, URL, ITEMS = DEFAULTS.max_name_length, DEFAULTS.max_url_length, DEFAULTS.max_input_items


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("bounds")) as api:
        api.make_token("admin", "admin")
        yield api


def text(lang: str, value: str) -> dict[str, str]:
    return {"lang": lang, "text": value}


# field -> (value, the path of the problem, the limit the message names)
OVERSIZED: dict[str, tuple[Any, list[str], int]] = {
    "title": ([text("en", "T" * (TITLE + 1))], ["input", "title", "0", "text"], TITLE),
    "second-title": (
        [text("en", "Fine"), text("de", "D" * (TITLE + 1))],
        ["input", "title", "1", "text"],
        TITLE,
    ),
    "abstract": ([text("en", "A" * (ABSTRACT + 1))], ["input", "abstract", "0", "text"], ABSTRACT),
    "megabyte-abstract": (
        [text("en", "A" * 900_000)],
        ["input", "abstract", "0", "text"],
        ABSTRACT,
    ),
    "language-tag": ([text("e" * (NAME + 1), "Fine")], ["input", "title", "0", "lang"], NAME),
    "source": (["https://example.org/" + "p" * URL], ["input", "sources", "0"], URL),
    "theme-id": (["theme/" + "x" * URL], ["input", "themes", "0"], URL),
    "country": ("C" * (URL + 1), ["input", "country"], URL),
    "date": ("2" * (NAME + 1), ["input", "date"], NAME),
    "many-themes": ([f"theme-{n}" for n in range(ITEMS + 1)], ["input", "themes"], ITEMS),
    "many-sources": (
        [f"https://example.org/{n}" for n in range(ITEMS + 1)],
        ["input", "sources"],
        ITEMS,
    ),
    "many-titles": ([text(f"x{n:02}", "T") for n in range(ITEMS + 1)], ["input", "title"], ITEMS),
}

FIELD = {
    "second-title": "title",
    "megabyte-abstract": "abstract",
    "language-tag": "title",
    "source": "sources",
    "theme-id": "themes",
    "many-themes": "themes",
    "many-sources": "sources",
    "many-titles": "title",
}


def invalid(result: dict[str, Any], path: list[str], limit: int) -> None:
    assert result["__typename"] == "InvalidInput", result
    problems = result.get("errors", [result])  # DELETE asks only for the first problem
    problem = next(e for e in problems if e["path"] == path)
    assert problem["message"], problem
    if "limit" in problem:  # a create or an update: the bound as a number
        assert problem["limit"] == limit, problem
        assert problem["code"] in ("TOO_LONG", "TOO_MANY"), problem
    else:  # DELETE asks for a message only
        assert str(limit) in problem["message"], problem


@pytest.mark.parametrize("case", sorted(OVERSIZED))
def test_an_oversized_input_is_refused_on_create(api: Api, case: str) -> None:
    value, path, limit = OVERSIZED[case]
    values = practice_input(f"Bounds {case}", BA)
    values[FIELD.get(case, case)] = value
    before = api.snapshot()
    response = post(api.client, CREATE, {"input": values}, token=api.tokens["admin"])
    assert response.status_code == 200, response.text[:500]
    invalid(response.json()["data"]["createPractice"], path, limit)
    assert api.snapshot() == before
    assert_healthy(api.app)


@pytest.mark.parametrize("case", ["title", "abstract", "source", "many-themes", "date"])
def test_an_oversized_input_is_refused_on_update(api: Api, case: str) -> None:
    value, path, limit = OVERSIZED[case]
    before = api.snapshot()
    variables = {"id": "practice/ohjaamo", "input": {FIELD.get(case, case): value}}
    response = post(api.client, UPDATE, variables, token=api.tokens["admin"])
    invalid(response.json()["data"]["updatePractice"], path, limit)
    assert api.snapshot() == before
    assert_healthy(api.app)


@pytest.mark.parametrize("query", [UPDATE, DELETE])
def test_an_oversized_id_is_refused(api: Api, query: str) -> None:
    variables: dict[str, Any] = {"id": "practice/" + "x" * URL}
    if query is UPDATE:
        variables["input"] = {"date": "2020"}
    before = api.snapshot()
    response = post(api.client, query, variables, token=api.tokens["admin"])
    (result,) = response.json()["data"].values()
    invalid(result, ["id"], URL)
    assert api.snapshot() == before
    assert_healthy(api.app)


def test_the_bounds_are_settings(tmp_path: Path) -> None:
    with attacked_api(tmp_path, max_title_length=12, max_input_items=2) as api:
        token = api.make_token("admin", "admin")
        values = practice_input("Thirteen char", BA)
        response = post(api.client, CREATE, {"input": values}, token=token)
        invalid(response.json()["data"]["createPractice"], ["input", "title", "0", "text"], 12)
        values = {**practice_input("Twelve chars", BA), "title": [text("en", "Twelve chars")]}
        response = post(api.client, CREATE, {"input": values}, token=token)
        assert response.json()["data"]["createPractice"]["__typename"] == "PracticeCreated"
        values = {
            **practice_input("Three items", BA),
            "sources": ["https://a.org", "https://b.org", "https://c.org"],
        }
        response = post(api.client, CREATE, {"input": values}, token=token)
        invalid(response.json()["data"]["createPractice"], ["input", "sources"], 2)
        assert_healthy(api.app)
