"""GraphQL operation names in the request metrics and the access log, over real HTTP.

The GraphQL endpoint hands the ``operationName`` it read to the observing middleware, which no
longer reads the body itself: POST and GET, persisted queries, cached answers, and requests the
endpoint refuses (a JSON array, bad JSON, a name that is not a string, a bad token) are
labelled as before. One service runs under uvicorn for the module; metrics are process-wide,
so each test compares samples before and after what it does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator

import pytest

from graphsvc.http import observe
from graphsvc.settings import Settings

from .test_http_operations import Lines, Samples, Service, access_log, running, value

__all__ = ["access_log"]  # the fixture, imported to be used here

OPERATIONS = "graphsvc_graphql_operations_total"
DURATIONS = "graphsvc_graphql_operation_duration_seconds_count"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data_dir = tmp_path_factory.mktemp("operation-names")
    with running(Settings(data_dir=data_dir, rate_per_address=0, web_rate_per_address=0)) as app:
        yield app


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_post_and_get_are_counted_by_name_cached_or_not(
    service: Service, access_log: Lines
) -> None:
    query = "query NamedPost { classCounts { iri instances } }"
    before = service.samples()
    with service.client() as client:
        for _ in range(3):  # the second and third from the result cache
            answer = client.post("/graphql", json={"query": query, "operationName": "NamedPost"})
            assert answer.status_code == 200 and "errors" not in answer.json()
        for _ in range(2):
            answer = client.get(
                "/graphql",
                params={
                    "query": "query NamedGet { classCounts { iri } }",
                    "operationName": "NamedGet",
                },
            )
            assert answer.status_code == 200 and "errors" not in answer.json()
        unnamed = client.post("/graphql", json={"query": query})  # one operation: no name needed
        assert unnamed.status_code == 200
    after = service.samples()
    assert delta(before, after, OPERATIONS, operation="NamedPost", status="200") == 3
    assert delta(before, after, DURATIONS, operation="NamedPost") == 3
    assert delta(before, after, OPERATIONS, operation="NamedGet", status="200") == 2
    assert delta(before, after, DURATIONS, operation="NamedGet") == 2
    assert delta(before, after, OPERATIONS, operation="(anonymous)", status="200") == 1
    hits = delta(
        before, after, "graphsvc_cache_lookups_total", cache="graphql_results", result="hit"
    )
    assert hits >= 3
    lines = access_log.lines("operation", "NamedPost", count=3)
    assert {e["method"] for e in lines} == {"POST"} and {e["status"] for e in lines} == {200}
    assert {e["method"] for e in access_log.lines("operation", "NamedGet", count=2)} == {"GET"}


def test_persisted_queries_keep_their_name(service: Service) -> None:
    text = "query Persisted { classCounts { iri } }"
    digest = hashlib.sha256(text.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    before = service.samples()
    with service.client() as client:
        unknown = client.post(
            "/graphql", json={"extensions": extensions, "operationName": "Persisted"}
        )
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registered = client.post(
            "/graphql",
            json={"query": text, "extensions": extensions, "operationName": "Persisted"},
        )
        assert registered.status_code == 200 and "errors" not in registered.json()
        by_hash = client.get(
            "/graphql",
            params={"extensions": json.dumps(extensions), "operationName": "Persisted"},
        )
        assert by_hash.status_code == 200 and by_hash.json() == registered.json()
    after = service.samples()
    # the unknown hash is answered 200 in the plain JSON media type (the APQ protocol's way)
    assert delta(before, after, OPERATIONS, operation="Persisted", status="200") == 3
    assert delta(before, after, DURATIONS, operation="Persisted") == 3


@pytest.mark.parametrize(
    ("body", "label"),
    [
        (b'[{"query": "{ classCounts { iri } }", "operationName": "Batched"}]', "(anonymous)"),
        (b'{"query": "{ classCounts { iri } }", "operationName": "Cut', "(anonymous)"),
        (b'{"query": "{ classCounts { iri } }", "operationName": 5}', "(anonymous)"),
        (b'{"query": "{ classCounts { iri } }", "operationName": "no spaces"}', "other"),
        (b'{"query": "{ classCounts { iri } }", "operationName": ""}', "(anonymous)"),
    ],
    ids=["batched", "truncated", "not-a-string", "not-a-name", "empty"],
)
def test_refused_bodies_are_labelled_without_their_name(
    service: Service, body: bytes, label: str
) -> None:
    before = service.samples()
    with service.client() as client:
        answer = client.post(
            "/graphql",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/graphql-response+json",
            },
        )
    assert answer.status_code == 400, answer.text
    after = service.samples()
    assert delta(before, after, OPERATIONS, operation=label, status="400") == 1
    assert delta(before, after, OPERATIONS, operation="Batched", status="400") == 0
    assert delta(before, after, DURATIONS, operation=label) == 1


def test_a_request_refused_before_the_endpoint_read_it(service: Service) -> None:
    """A bad token is refused before the parameters are read: over GET the name in the URL
    still labels it, a POST body is left unread."""
    bad = {"Authorization": "Bearer not-a-token"}
    query = "query Refused { classCounts { iri } }"
    before = service.samples()
    with service.client() as client:
        got = client.get(
            "/graphql", params={"query": query, "operationName": "Refused"}, headers=bad
        )
        posted = client.post(
            "/graphql", json={"query": query, "operationName": "Refused"}, headers=bad
        )
    assert got.status_code == posted.status_code == 401
    after = service.samples()
    assert delta(before, after, OPERATIONS, operation="Refused", status="401") == 1
    assert delta(before, after, OPERATIONS, operation="(anonymous)", status="401") == 1


def test_operation_names_stay_bounded() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    operations = observe.Observe(app, access_log=False).operations
    assert operations.label("First") == "First"
    assert [operations.label(v) for v in (None, "", 5, ["x"])] == ["(anonymous)"] * 4
    assert operations.label("not a name") == "other" and operations.label("x" * 65) == "other"
    for number in range(observe.MAX_OPERATION_NAMES - 1):
        assert operations.label(f"Op{number}") == f"Op{number}"
    assert operations.label("OneTooMany") == "other"
    assert operations.label("First") == "First" and operations.label("Op7") == "Op7"


def test_a_forked_process_draws_request_ids_of_its_own() -> None:
    """Fresh ids come from random bytes drawn 64 ids at a time: a forked worker must not
    repeat the ids its parent has drawn but not used yet."""
    first = observe._request_id({"headers": []})
    assert len(first) == 32 and int(first, 16) >= 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then out at once
        try:
            os.write(write, observe._request_id({"headers": []}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read().decode()
    os.waitpid(pid, 0)
    parent = observe._request_id({"headers": []})
    assert len(child) == 32 and child != parent and child != first
