"""Attack: whatever the schema allows, and whatever it almost allows.

hypothesis-graphql generates operations from the schema itself: valid queries and mutations over
every root field, nested selections, inline fragments and argument values of every type
(``Mode.POSITIVE``), and operations with one schema violation each — a wrong argument type, a
missing required argument, an unknown enum value (``Mode.NEGATIVE``). Each is sent to the real
application, anonymously or with an admin token (so mutations run and write), by POST or, for
queries, by GET: in this process, through the production middleware and ``/graphql`` view (no
socket: HTTP framing is not what these cases try, and the generator's own work is most of theirs).

What must hold for every one: no 5xx, a well-formed GraphQL response (``data`` and/or ``errors``,
each error with a message and an ``extensions.code``), and no masked internal error in it. The run
is deterministic (``derandomize``, no example database), so CI sees the same cases every time;
it counts the cases it sent and requires at least :data:`CASES`: 1,000 operations under
``GRAPHSVC_TEST_PROFILE=thorough``, a fifth by default (see :mod:`support.profiles`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis.strategies as st
import pytest
from api.gql import Api, local_api
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, from_schema
from support.profiles import examples

from graphsvc.api.schema import schema

from .graphql_attack import GRAPHQL_RESPONSE
from .wire import assert_healthy

CASES = examples(1_000)


# every operation the schema allows, and every one it almost allows; made when first drawn
# from (hypothesis-graphql solves its size model for the schema then: 0.7 s), not whenever
# this module is collected
OPERATIONS: st.SearchStrategy[str] = st.deferred(
    lambda: st.one_of(
        from_schema(schema._schema),
        from_schema(schema._schema, mode=Mode.NEGATIVE),
    )
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("fuzz")) as api:
        api.make_token("admin", "admin")
        yield api


def check(response: httpx.Response, query: str) -> None:
    """The response is a GraphQL response, never a server error of any kind."""
    where = f"{query!r} -> {response.status_code} {response.text[:500]}"
    assert response.status_code < 500, where
    assert response.status_code in (200, 400, 405), where
    body = response.json()
    assert isinstance(body, dict) and body, where
    assert set(body) <= {"data", "errors", "extensions"}, where
    if response.status_code == 400:
        assert body.get("data") is None and body["errors"], where
    for error in body.get("errors", ()):
        assert isinstance(error["message"], str) and error["message"], where
        code = error["extensions"]["code"]
        assert isinstance(code, str) and code, where
        assert code != "INTERNAL_SERVER_ERROR", where
        assert "Traceback" not in error["message"], where


def test_operations_generated_from_the_schema_never_get_a_server_error(api: Api) -> None:
    sent: list[int] = []
    headers: dict[bool, dict[str, str]] = {
        False: {"Accept": GRAPHQL_RESPONSE},
        True: {"Accept": GRAPHQL_RESPONSE, "Authorization": f"Bearer {api.tokens['admin']}"},
    }

    @settings(
        max_examples=CASES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query=OPERATIONS, signed_in=st.booleans(), by_get=st.booleans())
    def one(query: str, signed_in: bool, by_get: bool) -> None:
        if by_get and not query.startswith("mutation"):
            response = api.client.get(
                "/graphql", params={"query": query}, headers=headers[signed_in]
            )
        else:
            response = api.client.post(
                "/graphql", json={"query": query}, headers=headers[signed_in]
            )
        check(response, query)
        sent.append(response.status_code)

    one()
    assert len(sent) >= CASES, f"only {len(sent)} cases were generated"
    assert sent.count(200) > CASES // 4, "most cases were refused: the generator found too little"
    assert_healthy(api.app)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
BODIES = st.one_of(
    JSON,  # anything at all
    st.fixed_dictionaries(  # the right keys with values of any type
        {},
        optional={
            "query": st.one_of(
                st.just("{ __typename }"), st.just("query Q($x: Int) { __typename }"), JSON
            ),
            "variables": JSON,
            "operationName": JSON,
            "extensions": JSON,
        },
    ),
)
BODY_CASES = 300  # cheap, and fewer may not include a body that runs


def test_request_bodies_of_any_shape_never_get_a_server_error(api: Api) -> None:
    """Arbitrary JSON as the body, and the four members with values of any type: each answer is
    a 2xx or a 4xx GraphQL response with coded errors."""
    sent: list[int] = []

    @settings(max_examples=BODY_CASES, derandomize=True, database=None, deadline=None)
    @given(body=BODIES)
    def one(body: Any) -> None:
        response = api.client.post(
            "/graphql",
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE},
        )
        check(response, json.dumps(body)[:200])
        sent.append(response.status_code)

    one()
    assert len(sent) >= BODY_CASES
    assert 200 in sent and 400 in sent
    assert_healthy(api.app)
