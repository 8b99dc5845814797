"""Every limit of the GraphQL endpoint answers with a GraphQL error that names it, never a 500.

Depth, aliases, tokens, cost and introspection are checked on the real schema with tiny limits;
the page-size weighting of the cost, the timeout and the masking of internal errors on a small
test schema served by the same view, with fields that page, hang and fail.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import get_introspection_query

from graphsvc.api.server.execution import MASKED_MESSAGE
from graphsvc.errors import InputError
from graphsvc.settings import Settings

from .gql import GRAPHQL_RESPONSE, Api, local_api, open_schema, serve_schema

LIMITS = {
    "max_query_depth": 2,
    "max_query_aliases": 2,
    "max_query_tokens": 60,
    "max_query_cost": 12,
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("limits"), load_seeds=False, **LIMITS) as api:
        yield api


def refused(response: httpx.Response, code: str, status: int = 400) -> str:
    """Assert a request was refused by the limit ``code``; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body or body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    message: str = error["message"]
    assert "Traceback" not in response.text
    return message


# -- depth ---------------------------------------------------------------------------------------


def test_a_query_deeper_than_the_limit_is_refused(api: Api) -> None:
    assert api.data('{ practiceHistory(id: "x") { id kind } }') == {"practiceHistory": []}
    for query in (
        '{ practiceHistory(id: "x") { agent { name } } }',
        '{ ...H } fragment H on Query { practiceHistory(id: "x") { ... on Revision { agent { id } } } }',
    ):
        message = refused(api.post(query), "MAX_DEPTH_EXCEEDED")
        assert message == "The operation nests fields 3 levels deep; the limit is 2."


def test_depth_counts_fragments(tmp_path: Path) -> None:
    """On a schema with recursion: plain fields, inline fragments and named fragments nest."""
    settings = limit_settings(tmp_path, max_query_depth=3)
    with serve_schema(TEST_SCHEMA, settings) as client:
        assert ok(client, "{ items(first: 1) { edges { n } } }")
        for query in (
            "{ items(first: 1) { edges { children(first: 1) { n } } } }",
            "{ items(first: 1) { edges { ... on Item { children(first: 1) { n } } } } }",
            "{ items(first: 1) { edges { ...Deep } } } "
            "fragment Deep on Item { children(first: 1) { n } }",
        ):
            message = refused(post(client, query), "MAX_DEPTH_EXCEEDED")
            assert "4 levels deep; the limit is 3" in message


def test_introspection_is_not_counted_as_depth(tmp_path: Path) -> None:
    settings = limit_settings(tmp_path, max_query_depth=2)
    with serve_schema(TEST_SCHEMA, settings) as client:
        response = post(client, get_introspection_query())
        assert response.status_code == 200, response.text
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


# -- aliases, tokens, cost -------------------------------------------------------------------------


def test_too_many_aliases_are_refused(api: Api) -> None:
    assert api.data("{ a: viewer { name } b: viewer { name } }") == {"a": None, "b": None}
    message = refused(
        api.post("{ a: viewer { name } b: viewer { name } c: viewer { name } }"),
        "MAX_ALIASES_EXCEEDED",
    )
    assert message == "The operation uses 3 aliases; the limit is 2."
    # aliases hidden in a fragment count too
    refused(
        api.post("{ a: viewer { name } ...F } fragment F on Query { b: viewer { x: name } }"),
        "MAX_ALIASES_EXCEEDED",
    )


def test_too_many_tokens_are_refused_before_parsing(api: Api) -> None:
    fields = " ".join(["__typename"] * 70)
    message = refused(api.post("{ " + fields + " }"), "MAX_TOKENS_EXCEEDED")
    assert "the limit is 60" in message
    # also when the text is not even valid GraphQL: the limit is found first
    refused(api.post("{ " + fields), "MAX_TOKENS_EXCEEDED")


def test_the_cost_limit_counts_fields(api: Api) -> None:
    assert api.data('{ practiceHistory(id: "x") { id kind time } }') == {"practiceHistory": []}
    at_limit = '{ practiceHistory(id: "x") { id kind time description target changedFields } viewer { name role pes tokenId } }'
    assert api.data(at_limit) == {"practiceHistory": [], "viewer": None}  # (1 + 6) + (1 + 4)
    over = at_limit.replace("changedFields", "changedFields changedProperties")
    message = refused(api.post(over), "MAX_COST_EXCEEDED")
    assert message.startswith("The query would resolve about 13 fields; the limit is 12.")


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ("{ items(first: 5) { edges { n } } }", None, 1 + 5 * 2),
        ("{ items { edges { n } } }", None, 1 + 20 * 2),  # a connection without first: 20
        ("{ items(first: 10) { edges { n label } } }", None, 1 + 10 * 3),
        ("query Page($n: Int) { items(first: $n) { edges { n } } }", {"n": 40}, 1 + 40 * 2),
        ("{ items(first: 3) { edges { children(first: 4) { n } } } }", None, 1 + 3 * (1 + 1 + 4)),
        ("{ items(last: 7) { edges { n } } }", None, 1 + 7 * 2),
    ],
)
def test_the_cost_weighs_page_sizes(
    tmp_path: Path, query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    """The refusal names the estimate, so a limit of 1 shows it; a roomy limit runs the query."""
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path, max_query_cost=1)) as client:
        message = refused(post(client, query, variables), "MAX_COST_EXCEEDED")
        assert message.startswith(f"The query would resolve about {cost} fields; the limit is 1.")
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path, max_query_cost=cost)) as client:
        assert ok(client, query, variables), "a query at the limit runs"


def test_the_cost_of_one_document_follows_its_variables(tmp_path: Path) -> None:
    """The verdict is cached per page size, not per document: a big page after a small one is
    still refused, and the small one still runs."""
    query = "query Page($n: Int) { items(first: $n) { edges { n } } }"
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path, max_query_cost=100)) as client:
        for n, allowed in ((10, True), (60, False), (10, True), (49, True), (50, False)):
            response = post(client, query, {"n": n})
            if allowed:
                assert response.status_code == 200, response.text
                assert len(response.json()["data"]["items"]["edges"]) == n
            else:
                refused(response, "MAX_COST_EXCEEDED")


# -- time ---------------------------------------------------------------------------------------


def test_a_hanging_resolver_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path, request_timeout=0.2)) as client:
        message = refused(post(client, "{ hang }"), "TIMEOUT", status=200)
        assert "longer than 0.2 s" in message
        assert ok(client, "{ items(first: 2) { edges { n } } }"), "the next request runs"


def test_long_synchronous_work_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    settings = limit_settings(tmp_path, request_timeout=0.05, max_query_cost=10**9)
    with serve_schema(TEST_SCHEMA, settings) as client:
        refused(post(client, "{ items(first: 300000) { edges { n label } } }"), "TIMEOUT", 200)


def test_a_long_execution_lets_other_requests_through(tmp_path: Path) -> None:
    """Execution hands the event loop over every few milliseconds: a small query sent while a
    big one runs is answered before the big one ends."""
    from concurrent.futures import ThreadPoolExecutor

    settings = limit_settings(tmp_path, request_timeout=120, max_query_cost=10**9)
    # 100 × 25 × 20 items: about a second of work, in lists of a realistic length
    big = "{ items(first: 100) { edges { children(first: 25) { children(first: 20) { n label } } } } }"
    with (
        open_schema(TEST_SCHEMA, settings) as app,
        app.client(timeout=60) as client,
        ThreadPoolExecutor(1) as pool,
    ):
        RESOLVING_CHILDREN.clear()
        started = pool.submit(post, client, big)
        with app.client(timeout=60) as other:
            assert ok(other, "{ items(first: 1) { edges { n } } }")  # warm: its plan is compiled
            assert RESOLVING_CHILDREN.wait(60)  # the big query is executing: it has just begun
            while not started.done():
                assert ok(other, "{ items(first: 2) { edges { n } } }")
                if not started.done():
                    break  # answered while the big query was still running
            else:
                pytest.fail("the big query ended before a small one could be answered")
        response = started.result()
        assert response.status_code == 200
        edges = response.json()["data"]["items"]["edges"]
        assert len(edges) == 100 and len(edges[-1]["children"][-1]["children"]) == 20
        assert len(edges[-1]["children"]) == 25


def test_the_timeout_applies_to_the_real_schema(tmp_path: Path) -> None:
    with local_api(tmp_path, load_seeds=False, request_timeout=1e-9) as api:
        refused(api.post("{ viewer { name } }"), "TIMEOUT", status=200)


# -- masked errors ------------------------------------------------------------------------------


def test_internal_errors_are_masked_and_located(tmp_path: Path) -> None:
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path)) as client:
        response = post(client, "{ items(first: 2) { edges { n boom } } }")
        assert response.status_code == 200
        assert "secret" not in response.text
        assert "RuntimeError" not in response.text
        body = response.json()
        assert body["data"]["items"]["edges"] == [
            {"n": 0, "boom": None},
            {"n": 1, "boom": None},
        ]
        assert [e["path"] for e in body["errors"]] == [
            ["items", "edges", 0, "boom"],
            ["items", "edges", 1, "boom"],
        ]
        for error in body["errors"]:
            assert error["message"] == MASKED_MESSAGE
            assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
            assert error["locations"]


def test_errors_the_user_can_fix_keep_their_message(tmp_path: Path) -> None:
    with serve_schema(TEST_SCHEMA, limit_settings(tmp_path)) as client:
        body = post(client, "{ refuse }").json()
        assert body["errors"][0]["message"] == "first must be at most 100"
        assert body["errors"][0]["path"] == ["refuse"]


def test_a_failure_outside_execution_is_a_masked_500(tmp_path: Path) -> None:
    """The one 500 left: the view itself fails (here, an unparsable token file)."""
    settings = limit_settings(tmp_path)
    (tmp_path / "tokens.json").write_text("{ not json")
    with serve_schema(TEST_SCHEMA, settings) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ items { edges { n } } }"},
            headers={"Authorization": "Bearer gsk_aaaa_bbbb", "Accept": GRAPHQL_RESPONSE},
        )
        assert response.status_code == 500
        body = response.json()
        assert body["errors"][0]["message"] == MASKED_MESSAGE
        assert "tokens.json" not in response.text


# -- the test schema ---------------------------------------------------------------------------


def limit_settings(tmp_path: Path, **changes: Any) -> Settings:
    base = Settings(
        data_dir=tmp_path,
        store="memory",
        load_seeds=False,
        rate_per_address=0,
        rate_per_token=0,
        tokens_file=tmp_path / "tokens.json",
    )
    return base.with_overrides(**changes)


def post(
    client: httpx.Client, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return client.post("/graphql", json=payload, headers={"Accept": GRAPHQL_RESPONSE})


def ok(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> bool:
    response = post(client, query, variables)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return True


RESOLVING_CHILDREN = threading.Event()
"""Set as a query's ``children`` are resolved (only the big queries ask for them)."""


@strawberry.type
class Item:
    n: int

    @strawberry.field
    def label(self) -> str:
        return f"item {self.n}"

    @strawberry.field
    def children(self, first: int = 10) -> list[Item]:
        RESOLVING_CHILDREN.set()
        return [Item(n=i) for i in range(first)]

    @strawberry.field
    def boom(self) -> str | None:
        raise RuntimeError("secret internal detail")


@strawberry.type
class ItemConnection:
    edges: list[Item]


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int | None = None, last: int | None = None) -> ItemConnection:
        return ItemConnection(edges=[Item(n=i) for i in range(first or last or 20)])

    @strawberry.field
    async def hang(self) -> str:
        await asyncio.sleep(120)
        return "too late"

    @strawberry.field
    def refuse(self) -> str:
        raise InputError("first must be at most 100")


TEST_SCHEMA = strawberry.Schema(query=Query)
