"""GraphQL over HTTP through uvicorn: methods, media types and status codes, GraphiQL, CORS,
automatic persisted queries and switchable introspection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.api.server.execution import MASKED_MESSAGE
from graphsvc.api.server.persisted import PersistedQueries, PersistedQueryError
from graphsvc.api.server.view import MAX_BODY_BYTES
from graphsvc.web.app_files import app_documents

from .gql import GRAPHQL_RESPONSE, Api, local_api, sha256

JSON = "application/json"
QUERY = "{ viewer { name } }"
HISTORY = "query History($id: ID!) { practiceHistory(id: $id) { kind } }"
MUTATION = 'mutation { deletePractice(id: "practice/ohjaamo") { __typename } }'
ORIGIN = "https://app.example.org"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("http"), cors_origins=(ORIGIN,), graphiql=True) as api:
        api.make_token("admin", "admin")
        yield api


def body(response: Any) -> dict[str, Any]:
    assert "Traceback" not in response.text
    value = json.loads(response.text)
    assert isinstance(value, dict)
    return value


# -- methods and media types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"text/html, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
    ],
)
def test_post_answers_in_the_negotiated_media_type(
    api: Api, accept: str | None, media_type: str
) -> None:
    response = api.post(QUERY, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert body(response) == {"data": {"viewer": None}}
    assert "Accept" in response.headers["vary"]


def test_get_runs_queries_with_variables_and_operation_name(api: Api) -> None:
    document = f"{HISTORY} query Other {{ viewer {{ name }} }}"
    response = api.client.get(
        "/graphql",
        params={
            "query": document,
            "variables": json.dumps({"id": "practice/ohjaamo"}),
            "operationName": "History",
        },
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200, response.text
    assert body(response) == {"data": {"practiceHistory": []}}


def test_a_mutation_over_get_is_405_and_changes_nothing(api: Api) -> None:
    before = api.snapshot()
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = api.client.get(
            "/graphql",
            params={"query": MUTATION},
            headers={"Accept": accept, **api.headers(api.tokens["admin"])},
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert body(response)["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert api.snapshot() == before


def test_other_methods_are_405(api: Api) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        assert api.client.request(method, "/graphql").status_code == 405


# (case, how to send it, status with graphql-response+json, status with application/json, code)
REQUEST_ERRORS: list[tuple[str, dict[str, Any], int, int, str | None]] = [
    ("syntax error", {"json": {"query": "{ viewer { "}}, 400, 200, None),
    ("unknown field", {"json": {"query": "{ nope }"}}, 400, 200, None),
    ("no query", {"json": {"variables": {}}}, 400, 400, "BAD_REQUEST"),
    ("query not a string", {"json": {"query": 42}}, 400, 400, "BAD_REQUEST"),
    ("variables not an object", {"json": {"query": QUERY, "variables": [1]}}, 400, 400, None),
    ("body not an object", {"json": [QUERY]}, 400, 400, "BAD_REQUEST"),
    ("body not JSON", {"content": b"{nope", "ctype": JSON}, 400, 400, "BAD_REQUEST"),
    ("form body", {"content": b"query=x", "ctype": "text/plain"}, 415, 415, None),
    (
        "unknown operation",
        {"json": {"query": HISTORY, "operationName": "Nope"}},
        400,
        200,
        None,
    ),
    (
        "several operations, no name",
        {"json": {"query": f"{HISTORY} query B {{ viewer {{ name }} }}"}},
        400,
        200,
        None,
    ),
    (
        "variable of the wrong type",
        {"json": {"query": HISTORY, "variables": {"id": {"x": 1}}}},
        400,
        200,
        None,
    ),
    ("missing variable", {"json": {"query": HISTORY}}, 400, 200, None),
]


@pytest.mark.parametrize(
    ("send", "status", "legacy_status", "code"),
    [case[1:] for case in REQUEST_ERRORS],
    ids=[case[0] for case in REQUEST_ERRORS],
)
def test_requests_that_cannot_run_are_errors_with_the_spec_status(
    api: Api, send: dict[str, Any], status: int, legacy_status: int, code: str | None
) -> None:
    for accept, expected in ((GRAPHQL_RESPONSE, status), (JSON, legacy_status)):
        headers = {"Accept": accept}
        if "ctype" in send:
            headers["Content-Type"] = send["ctype"]
            response = api.client.post("/graphql", content=send["content"], headers=headers)
        else:
            response = api.client.post("/graphql", json=send["json"], headers=headers)
        assert response.status_code == expected, (accept, response.text)
        answer = body(response)
        assert "data" not in answer
        assert answer["errors"][0]["message"]
        if code is not None:
            assert answer["errors"][0]["extensions"]["code"] == code


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    padding = " " * (MAX_BODY_BYTES + 1)
    for headers in ({}, {"Transfer-Encoding": "chunked"}):

        def chunks() -> Iterator[bytes]:
            yield b'{"query": "{ viewer { name } }"'
            yield padding.encode()
            yield b"}"

        response = api.client.post(
            "/graphql",
            content=chunks() if headers else b"".join(chunks()),
            headers={"Content-Type": JSON, "Accept": GRAPHQL_RESPONSE, **headers},
        )
        assert response.status_code == 413, response.text
        assert body(response)["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    # just under the limit is fine
    small = b'{"query": "{ viewer { name } }"' + b" " * (MAX_BODY_BYTES - 100) + b"}"
    response = api.client.post("/graphql", content=small, headers={"Content-Type": JSON})
    assert body(response) == {"data": {"viewer": None}}


def test_an_accept_header_without_json_is_406(api: Api) -> None:
    response = api.post(QUERY, accept="text/csv")
    assert response.status_code == 406
    assert body(response)["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_a_field_error_is_200_with_partial_data_and_a_path(api: Api) -> None:
    response = api.post(
        '{ viewer { name } practiceHistory(id: "has spaces") { kind } }', accept=GRAPHQL_RESPONSE
    )
    assert response.status_code == 200
    answer = body(response)
    assert answer["data"] is None  # practiceHistory is non-null, so the whole data is null
    (error,) = answer["errors"]
    assert error["path"] == ["practiceHistory"]
    assert "has spaces" in error["message"]  # an input error is the client's to fix: not masked
    assert error["message"] != MASKED_MESSAGE


def test_bad_get_parameters_are_400(api: Api) -> None:
    response = api.client.get(
        "/graphql",
        params={"query": QUERY, "variables": "{not json"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert "variables" in body(response)["errors"][0]["message"]


# -- GraphiQL and CORS -------------------------------------------------------------------------


def test_graphiql_is_served_to_browsers(api: Api) -> None:
    response = api.client.get("/graphql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    # a browser that asks for a query gets the result, not the IDE
    answer = api.client.get(
        "/graphql", params={"query": QUERY}, headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert body(answer) == {"data": {"viewer": None}}


def test_cors_allows_the_configured_origins_only(api: Api) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = api.client.options("/graphql", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = api.client.options(
        "/graphql", headers={"Origin": "https://evil.example", **preflight}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    simple = api.client.post("/graphql", json={"query": QUERY}, headers={"Origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    other = api.client.post(
        "/graphql", json={"query": QUERY}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_without_graphiql_a_browser_gets_no_ide(tmp_path: Path) -> None:
    with local_api(tmp_path, graphiql=False, load_seeds=False) as api:
        response = api.client.get("/graphql", headers={"Accept": "text/html,*/*;q=0.8"})
        assert "graphiql" not in response.text.lower()
        assert response.status_code == 400
        assert body(response)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        # and no origin is allowed unless configured
        preflight = api.client.options(
            "/graphql",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers


# -- automatic persisted queries -----------------------------------------------------------------


def apq(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def test_automatic_persisted_queries_follow_the_apollo_protocol(api: Api) -> None:
    query = "query Persisted { viewer { role } }"
    digest = sha256(query)
    # 1. the hash alone: not known yet
    first = api.post(None, extensions=apq(digest), accept=JSON)
    assert first.status_code == 200
    assert body(first)["errors"][0]["message"] == "PersistedQueryNotFound"
    assert body(first)["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    # 2. hash and text: registered and run
    second = api.post(query, extensions=apq(digest))
    assert body(second) == {"data": {"viewer": None}}
    # 3. the hash alone now runs, by POST and by GET (cacheable URL), with a token too
    third = api.post(None, extensions=apq(digest.upper()), token=api.tokens["admin"])
    assert body(third) == {"data": {"viewer": {"role": "admin"}}}
    get = api.client.get(
        "/graphql",
        params={"extensions": json.dumps(apq(digest))},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert get.status_code == 200
    assert body(get) == {"data": {"viewer": None}}


def test_the_apps_own_operations_are_answered_by_hash_from_the_first_request(api: Api) -> None:
    """The built app's operations are trusted at startup: no registering round trip."""
    documents = app_documents()
    assert documents, "the discovery app is built (make frontend) with its operations beside it"
    home = next(key for key, text in documents.items() if "query Home(" in text)
    digest = home.removeprefix("sha256:")
    assert sha256(documents[home]) == digest
    response = api.client.get(
        "/graphql",
        params={
            "operationName": "Home",
            "variables": json.dumps({"lang": "en"}),
            "extensions": json.dumps(apq(digest)),
        },
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    answer = body(response)
    assert "errors" not in answer
    assert answer["data"]["all"]["totalCount"] > 0
    # a text that is not the app's still goes through registration
    other = "query NotTheApps { viewer { role } }"
    unknown = api.post(None, extensions=apq(sha256(other)), accept=JSON)
    assert body(unknown)["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_a_trusted_document_must_be_the_text_of_its_hash() -> None:
    persisted = PersistedQueries()
    good, bad = "{ viewer { role } }", "{ viewer { name } }"
    refused = persisted.trust({f"sha256:{sha256(good)}": good, sha256(good[::-1]): bad})
    assert refused == [sha256(good[::-1])]
    assert persisted.resolve(None, apq(sha256(good))) == good
    with pytest.raises(PersistedQueryError, match="PersistedQueryNotFound"):
        persisted.resolve(None, apq(sha256(good[::-1])))


def test_a_persisted_mutation_still_needs_post(api: Api) -> None:
    digest = sha256(MUTATION)
    registered = api.post(MUTATION, extensions=apq(digest))  # anonymous: NotAuthorised
    assert body(registered)["data"]["deletePractice"]["__typename"] == "NotAuthorised"
    response = api.client.get(
        "/graphql",
        params={"extensions": json.dumps(apq(digest))},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("query", "extensions", "code"),
    [
        (QUERY, apq(sha256("something else")), "PERSISTED_QUERY_HASH_MISMATCH"),
        (QUERY, apq(sha256(QUERY), version=2), "PERSISTED_QUERY_NOT_SUPPORTED"),
        (QUERY, apq("abc"), "BAD_REQUEST"),
        (QUERY, {"persistedQuery": "yes"}, "BAD_REQUEST"),
        (None, apq(sha256("never sent")), "PERSISTED_QUERY_NOT_FOUND"),
    ],
    ids=["hash mismatch", "unknown version", "short hash", "not an object", "unknown hash"],
)
def test_bad_persisted_queries_are_request_errors(
    api: Api, query: str | None, extensions: dict[str, Any], code: str
) -> None:
    response = api.post(query, extensions=extensions, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert body(response)["errors"][0]["extensions"]["code"] == code


# -- introspection ---------------------------------------------------------------------------


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_on_by_default(api: Api) -> None:
    assert api.data(INTROSPECTION)["__schema"]["queryType"]["name"] == "Query"


def test_introspection_can_be_switched_off(tmp_path: Path) -> None:
    with local_api(tmp_path, introspection=False, load_seeds=False) as api:
        for query in (INTROSPECTION, '{ __type(name: "Query") { name } }'):
            response = api.post(query)
            assert response.status_code == 400
            assert "introspection" in body(response)["errors"][0]["message"].lower()
        # __typename is not introspection of the schema and stays available
        assert api.data("{ __typename }") == {"__typename": "Query"}
