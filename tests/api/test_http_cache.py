"""The result cache: a repeated query is answered from it, per token, and never after a write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.routing import Route

from graphsvc.api.server.results import ResultCache, result_key
from graphsvc.api.server.view import GraphQLView

from .gql import BA, Api, local_api
from .test_mutations import CREATE, UPDATE, practice_input, send

HISTORY = "query H($id: ID!) { practiceHistory(id: $id) { kind } }"
VIEWER = "{ viewer { name role } }"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("cache"), result_cache_size=50) as api:
        api.make_token("admin", "admin")
        api.make_token("member-ba", "member", BA)
        yield api


def cache_of(api: Api) -> ResultCache:
    for route in api.app.app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            view = getattr(route.endpoint, "__self__", None)  # the bound view.handle
            assert isinstance(view, GraphQLView)
            return view.results
    raise AssertionError("no /graphql route")


def test_a_repeated_query_is_answered_from_the_cache(api: Api) -> None:
    cache = cache_of(api)
    query = "query Titles { practices(first: 3) { edges { node { title } } } }"
    first = api.post(query)
    hits = cache.hits
    second = api.post(query)
    assert cache.hits == hits + 1
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    # variables are part of the key, in any key order
    api.post(HISTORY, {"id": "practice/ohjaamo"})
    hits = cache.hits
    api.post(HISTORY, {"id": "practice/ba-zukunftsstarter"})
    assert cache.hits == hits


def test_a_write_invalidates_every_cached_result(api: Api) -> None:
    created = send(api, "admin", CREATE, {"input": practice_input("Cached practice", BA)})
    iri = created["id"]
    variables = {"id": iri}
    assert api.data(HISTORY, variables) == {"practiceHistory": [{"kind": "CREATE"}]}
    assert api.data(HISTORY, variables) == {"practiceHistory": [{"kind": "CREATE"}]}
    titles = f'{{ practice(id: "{iri}") {{ title }} }}'
    assert api.data(titles) == {"practice": {"title": "Cached practice"}}

    changed = send(
        api, "admin", UPDATE, {"id": iri, "input": {"title": [{"lang": "en", "text": "Renamed"}]}}
    )
    assert changed["__typename"] == "PracticeUpdated"
    assert api.data(titles) == {"practice": {"title": "Renamed"}}
    assert api.data(HISTORY, variables) == {
        "practiceHistory": [{"kind": "CREATE"}, {"kind": "UPDATE"}]
    }


def test_each_token_has_its_own_entries(api: Api) -> None:
    assert api.data(VIEWER) == {"viewer": None}
    assert api.data(VIEWER, token=api.tokens["admin"]) == {
        "viewer": {"name": "admin token", "role": "admin"}
    }
    assert api.data(VIEWER, token=api.tokens["member-ba"]) == {
        "viewer": {"name": "member-ba token", "role": "member"}
    }
    assert api.data(VIEWER) == {"viewer": None}


def test_errors_and_mutations_are_not_cached(api: Api) -> None:
    cache = cache_of(api)
    bad = '{ practiceHistory(id: "has spaces") { kind } }'
    api.post(bad)
    size = len(cache)
    again = api.post(bad)
    assert again.json()["errors"]
    assert len(cache) == size
    before = api.snapshot()
    refused = send(api, "member-ba", UPDATE, {"id": "practice/ohjaamo", "input": {"date": "2015"}})
    assert refused["__typename"] == "NotAuthorised"
    assert len(cache) == size
    assert api.snapshot() == before


def test_the_cache_is_bounded_and_keyed_by_value() -> None:
    cache = ResultCache(maxsize=2)
    a = result_key("{ a }", None, {"x": 1, "y": 2}, None)
    assert a == result_key("{ a }", None, {"y": 2, "x": 1}, None)
    assert a != result_key("{ a }", None, {"x": 1, "y": 2}, "token")
    assert cache.get(a, version=1) is None
    cache.put(a, 1, b"A")
    assert cache.get(a, 1) == b"A"
    b, c = result_key("{ b }", None, None, None), result_key("{ c }", None, None, None)
    cache.put(b, 1, b"B")
    cache.get(a, 1)  # a is now the most recent
    cache.put(c, 1, b"C")
    assert len(cache) == 2
    assert cache.get(b, 1) is None
    assert cache.get(a, 1) == b"A"
    # a new version empties it, and a result of an old version is not kept
    assert cache.get(a, 2) is None
    cache.put(b, 1, b"stale")
    assert cache.get(b, 2) is None
    assert len(cache) == 0
    off = ResultCache(maxsize=0)
    off.get(a, 1)
    off.put(a, 1, b"A")
    assert not off.enabled
    assert off.get(a, 1) is None
