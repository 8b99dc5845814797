"""Attack: requests of a shape the endpoint did not expect, to get a 500, a stack trace, a code-less
error, or to be served as anonymous with a token that does not work.

- Variables nested past what orjson can write back gave a 500; now any JSON nested deeper than
  ``GRAPHSVC_MAX_VARIABLES_DEPTH`` (16) in ``variables`` or ``extensions`` is a 400 that says so.
- Every error carries ``extensions.code``: ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``
  (also when graphql-core gives up: "Validation aborted"), ``OPERATION_RESOLUTION_FAILURE``,
  ``BAD_USER_INPUT``, ``BAD_REQUEST``, or the code of a limit.
- An invalid or revoked bearer token is a 401 with ``WWW-Authenticate: Bearer
  error="invalid_token"``, never an anonymous answer; refused tokens still count against the
  address's rate limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from api.gql import Api

from .graphql_attack import GRAPHQL_RESPONSE, attacked_api, error_codes, post, refusal, under_attack
from .wire import assert_healthy


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("contract"), load_seeds=False) as api:
        api.make_token("member", "member", "https://w3id.org/graphsvc/id/pes/deu-ba")
        revoked = api.make_token("revoked", "member", "https://w3id.org/graphsvc/id/pes/deu-ba")
        api.registry.revoke(api.records["revoked"].id)
        api.tokens["revoked"] = revoked
        yield api


def nested(depth: int, leaf: Any = 1, key: str | None = None) -> Any:
    value = leaf
    for _ in range(depth):
        value = {key: value} if key is not None else [value]
    return value


def nested_text(depth: int, shape: str) -> bytes:
    """JSON nested ``depth`` levels deep, written out (orjson writes at most 255)."""
    if shape == "array":
        return b"[" * depth + b"1" + b"]" * depth
    return b'{"k":' * depth + b"1" + b"}" * depth


def raw(client: httpx.Client, body: bytes, accept: str = GRAPHQL_RESPONSE) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Accept": accept}
    return client.post("/graphql", content=body, headers=headers)


# -- nesting in the request ----------------------------------------------------------------------

QUERY = "{ __typename }"


@pytest.mark.parametrize("depth", [17, 300, 1_000])
@pytest.mark.parametrize("shape", ["array", "object"])
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_deeply_nested_variables_are_a_400(api: Api, depth: int, shape: str, accept: str) -> None:
    body = b'{"query": "{ __typename }", "variables": {"deep": ' + nested_text(depth, shape) + b"}}"
    message = refusal(raw(api.client, body, accept), "BAD_REQUEST")
    assert message == (
        "'variables' nests objects and arrays 17 levels deep or more; the limit is 16."
    )
    assert_healthy(api.app)


def test_nesting_past_what_the_json_parser_reads_is_a_400(api: Api) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}}"
    assert refusal(raw(api.client, body), "BAD_REQUEST") == "The request body is not valid JSON."
    assert_healthy(api.app)


def test_nested_extensions_and_get_parameters_are_a_400(api: Api) -> None:
    body = orjson.dumps({"query": "{ __typename }", "extensions": {"x": nested(200)}})
    assert "'extensions' nests" in refusal(raw(api.client, body), "BAD_REQUEST")
    response = api.client.get(
        "/graphql",
        params={"query": QUERY, "variables": orjson.dumps({"x": nested(200)}).decode()},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert "'variables' nests" in refusal(response, "BAD_REQUEST")
    assert_healthy(api.app)


def test_variables_at_the_depth_limit_are_answered(api: Api) -> None:
    body = orjson.dumps({"query": QUERY, "variables": {"x": "fine", "deep": nested(15)}})
    response = raw(api.client, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_nested_query_literal_is_a_parse_error(api: Api) -> None:
    query = '{ practice(id: "x") { title(lang: ' + "[" * 300 + "]" * 300 + ") } }"
    message = refusal(post(api.client, query), "GRAPHQL_PARSE_FAILED")
    assert "nested too deeply" in message
    assert_healthy(api.app)


# -- every error has a code ----------------------------------------------------------------------

CODED = [
    ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED", "Cannot query field 'nope' on type 'Query'."),
    ("{ __typename ", None, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
    (
        "{" + "".join(f" x{n}" for n in range(300)) + " }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
        "Validation aborted.",
    ),
    (
        "query A { __typename } query B { __typename }",
        None,
        "OPERATION_RESOLUTION_FAILURE",
        "give operationName",
    ),
    (
        "query Q($n: Int) { practices(first: $n) { totalCount } }",
        {"n": 1.5},
        "BAD_USER_INPUT",
        "Int",
    ),
    (
        "query Q($n: Int) { practices(first: $n) { totalCount } }",
        {"n": 2**40},
        "MAX_COST_EXCEEDED",
        "fields",
    ),
    ("query Q($n: Int!) { practices(first: $n) { totalCount } }", {}, "BAD_USER_INPUT", "$n"),
    ("{ practiceHistory(id: true) { id } }", None, "GRAPHQL_VALIDATION_FAILED", "ID"),
]


@pytest.mark.parametrize(("query", "variables", "code", "words"), CODED)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
def test_every_request_error_carries_a_code(
    api: Api, query: str, variables: dict[str, Any] | None, code: str, words: str, accept: str
) -> None:
    response = post(api.client, query, variables, accept=accept)
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200), response.text
    body = response.json()
    assert body.get("data") is None
    assert code in error_codes(response)
    assert any(words in e["message"] for e in body["errors"]), body
    assert_healthy(api.app)


def test_an_unknown_operation_name_has_a_code(api: Api) -> None:
    response = api.client.post(
        "/graphql",
        json={"query": "query A { __typename }", "operationName": "B"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert refusal(response, "OPERATION_RESOLUTION_FAILURE") == "Unknown operation named 'B'."


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", "application/json", 400),
        (b"\xff\xfe not utf-8", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"query": 5}', "application/json", 400),
        (b'{"query": "{ __typename }", "variables": [1]}', "application/json", 400),
        (b'{"query": "{ __typename }"}', "text/plain", 415),
    ],
)
def test_malformed_bodies_are_4xx_with_a_code(
    api: Api, body: bytes, content_type: str, status: int
) -> None:
    response = api.client.post(
        "/graphql", content=body, headers={"Content-Type": content_type, "Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == status, response.text
    assert error_codes(response) <= {"BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"}
    assert_healthy(api.app)


# -- tokens that do not work ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "why"),
    [
        ("Bearer gsk_000000000000_bm90LWlzc3VlZA", "The API token is not valid."),
        ("Bearer not-even-a-token", "The API token is not valid."),
        ("Bearer {revoked}", "was revoked on"),
        ("Bearer {member}x", "The API token is not valid."),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_invalid_or_revoked_token_is_a_401(
    api: Api, authorization: str, why: str, method: str
) -> None:
    header = authorization.format(revoked=api.tokens["revoked"], member=api.tokens["member"])
    headers = {"Authorization": header, "Accept": GRAPHQL_RESPONSE}
    query = "{ viewer { tokenId } }"
    if method == "GET":
        response = api.client.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = api.client.post("/graphql", json={"query": query}, headers=headers)
    assert why in refusal(response, "UNAUTHENTICATED", status=401)
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="graphsvc", error="invalid_token"'), challenge
    assert "viewer" not in response.text
    assert_healthy(api.app)


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer"])
def test_an_authorization_header_without_a_bearer_token_is_a_401(
    api: Api, authorization: str
) -> None:
    response = api.client.post(
        "/graphql",
        json={"query": "{ viewer { tokenId } }"},
        headers={"Authorization": authorization, "Accept": GRAPHQL_RESPONSE},
    )
    assert "Bearer <token>" in refusal(response, "UNAUTHENTICATED", status=401)
    assert response.headers["www-authenticate"] == 'Bearer realm="graphsvc"'


def test_a_valid_token_and_no_token_still_work(api: Api) -> None:
    viewer = api.data("{ viewer { tokenId } }", token=api.tokens["member"])["viewer"]
    assert viewer == {"tokenId": api.records["member"].id}
    assert api.data("{ viewer { tokenId } }") == {"viewer": None}


def test_guessing_tokens_meets_the_rate_limit_of_the_address(tmp_path: Path) -> None:
    """Each guess is a 401 until the address's bucket is empty, then a 429: rotating the token
    does not give a fresh bucket."""
    with attacked_api(
        tmp_path, load_seeds=False, rate_per_address=0.01, burst_per_address=5
    ) as api:

        def guess(client: httpx.Client) -> httpx.Response:
            return post(client, "{ __typename }", token=f"gsk_{id(client):012x}_guess")

        attack = under_attack(api.app, guess, requests=12, clients=3)
        statuses = sorted(r.status_code for r in attack.responses)
        assert statuses == [401] * 5 + [429] * 7, statuses
        for response in attack.responses:
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) >= 1
        assert_healthy(api.app)
