"""Attack: fill the caches of ``/graphql`` with big entries until the worker runs out of memory.

Parsed documents, persisted query texts and cached results are kept per worker. A request body
may be 1 MiB, so 1,000 cached documents or 10,000 persisted texts could hold gigabytes. Now a
query text longer than ``GRAPHSVC_MAX_CACHED_QUERY_LENGTH`` (65,536 characters) is run but kept in
no cache, and the result cache holds at most ``GRAPHSVC_RESULT_CACHE_BYTES`` (64 MiB) of bodies,
query texts and variables together. The service still answers ``/healthz``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from api.gql import Api

from graphsvc.api.server.results import ResultCache, result_key

from .graphql_attack import attacked_api, post, refusal
from .wire import assert_healthy

LIMIT = 65_536


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("stuffing"), load_seeds=False) as api:
        yield api


def padded(n: int, length: int) -> str:
    """A valid query of ``length`` characters, different for each ``n``: a comment pads it."""
    head = f"{{ __typename }} # {n} "
    return head + "x" * (length - len(head))


def view(api: Api) -> object:
    for route in api.app.app.routes:
        endpoint = getattr(route, "endpoint", None)
        owner = getattr(endpoint, "__self__", None)
        if owner is not None and hasattr(owner, "documents"):
            return owner
    raise AssertionError("no GraphQL view among the routes")


def test_long_query_texts_run_but_are_not_kept(api: Api) -> None:
    documents = view(api).documents  # type: ignore[attr-defined]
    results = view(api).results  # type: ignore[attr-defined]
    kept, cached = len(documents), len(results)
    for n in range(20):  # one character over the limit: the size of the text makes no difference
        response = post(api.client, padded(n, LIMIT + 1))
        assert response.status_code == 200, response.text[:300]
        assert response.json() == {"data": {"__typename": "Query"}}
    assert len(documents) == kept
    assert len(results) == cached
    # a text at the limit is kept as before
    assert post(api.client, padded(99, LIMIT)).status_code == 200
    assert len(documents) == kept + 1
    assert_healthy(api.app)


def test_a_long_persisted_query_runs_but_is_not_remembered(api: Api) -> None:
    text = padded(7, LIMIT + 1)
    digest = hashlib.sha256(text.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = api.client.post(
        "/graphql",
        json={"query": text, "extensions": persisted},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert registered.json() == {"data": {"__typename": "Query"}}
    again = api.client.post(
        "/graphql",
        json={"extensions": persisted},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert refusal(again, "PERSISTED_QUERY_NOT_FOUND") == "PersistedQueryNotFound"
    assert_healthy(api.app)


def test_the_result_cache_keeps_to_its_byte_budget() -> None:
    cache = ResultCache(maxsize=1_000, max_bytes=10_000, max_key=100)
    cache.get(result_key("{ warm }", None, None, None), 1)  # version 1
    for n in range(200):
        cache.put(result_key(f"{{ q{n} }}", None, {"n": n}, None), 1, b"x" * 900)
        assert cache.size <= 10_000
    assert 0 < len(cache) <= 10
    newest = result_key("{ q199 }", None, {"n": 199}, None)
    assert cache.get(newest, 1) == b"x" * 900
    # an entry whose key is too long is never kept
    long_key = result_key("{ __typename } #" + "x" * 200, None, None, None)
    cache.put(long_key, 1, b"{}")
    assert cache.get(long_key, 1) is None


def test_many_variables_are_not_a_cache_key(tmp_path: object) -> None:
    with attacked_api(tmp_path, load_seeds=False, max_cached_query_length=1_000) as api:  # type: ignore[arg-type]
        results = view(api).results  # type: ignore[attr-defined]
        query = "{ __typename }"  # variables not declared are ignored, but are part of the key
        for n in range(5):
            response = post(api.client, query, {"pad": str(n) * 5_000})
            assert response.json() == {"data": {"__typename": "Query"}}
        assert len(results) == 0
        post(api.client, query, {"pad": "short"})
        assert len(results) == 1
        assert_healthy(api.app)
