"""Attack: make a mutation outlast its deadline, so that it is answered TIMEOUT and written anyway.

The write thread used to commit after the deadline had fired, and nobody told the read model: the
store and GraphQL disagreed until a restart. Now a write asks the deadline right before its
transaction (``Deadline.begin_commit``, under the write lock): either the time is up and nothing
is written, or the deadline is disarmed and the answer reports the write as done, with the read
model, the recommendation index and the provenance graph all showing it.

Each variant asserts the one outcome it forces — it holds the write lock past the deadline, or
slows the refresh after the commit past it — and that the service still answers ``/healthz``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest
from api.gql import BA, Api
from api.test_mutations import CREATE, DELETE, HISTORY, UPDATE, practice_input

from graphsvc.edit.provenance import PROVENANCE_GRAPH
from graphsvc.errors import NotFoundError
from graphsvc.recommend.projection import NodeKind

from .graphql_attack import attacked_api, post, refusal
from .wire import assert_healthy

TIMEOUT = 1.0


class WatchedLock:
    """``services.write_lock`` that tells when a writer asks for it and when it lets go.

    Re-entrant like the real one: a write holds it from its first read and ``Services.commit``
    takes it again."""

    def __init__(self) -> None:
        self.inner = threading.RLock()
        self.local = self.inner  # what following the feed takes
        self.asked = threading.Event()
        self.released = threading.Event()
        self._depth = 0

    def __enter__(self) -> WatchedLock:
        self.asked.set()
        self.inner.acquire()
        self._depth += 1
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._depth -= 1
        last = self._depth == 0
        self.inner.release()
        if last:
            self.released.set()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("deadline"), request_timeout=TIMEOUT) as api:
        api.make_token("admin", "admin")
        yield api


@pytest.fixture
def watched(api: Api) -> Iterator[WatchedLock]:
    original = api.services.write_lock
    lock = WatchedLock()
    api.services.write_lock = lock  # type: ignore[assignment]
    yield lock
    api.services.write_lock = original


def create(api: Api, title: str) -> str:
    body = post(api.client, CREATE, {"input": practice_input(title, BA)}, token=api.tokens["admin"])
    result = body.json()["data"]["createPractice"]
    assert result["__typename"] == "PracticeCreated", result
    iri: str = result["id"]
    return iri


def mutation(operation: str, target: str | None, title: str) -> tuple[str, dict[str, Any]]:
    if operation == "create":
        return CREATE, {"input": practice_input(title, BA)}
    if operation == "update":
        return UPDATE, {"id": target, "input": {"title": [{"lang": "en", "text": f"{title} 2"}]}}
    return DELETE, {"id": target}


def indexed(api: Api, iri: str) -> bool:
    index = api.services.recommendations
    assert index is not None
    try:
        index.node_id(iri, NodeKind.PRACTICE, "practice")
    except NotFoundError:
        return False
    return True


def history(api: Api, iri: str) -> list[str]:
    return [r["kind"] for r in api.data(HISTORY, {"id": iri})["practiceHistory"]]


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_a_write_held_past_its_deadline_is_not_written(
    api: Api, watched: WatchedLock, operation: str
) -> None:
    target = None if operation == "create" else create(api, f"Held {operation}")
    watched.asked.clear()  # forget the write that made the target
    watched.released.clear()
    query, variables = mutation(operation, target, f"Held {operation}")
    before = api.snapshot()
    model = api.services.read_model.version
    index = api.services.recommendations
    assert index is not None
    index_version = index.version
    with ThreadPoolExecutor(1) as pool:
        watched.inner.acquire()  # another write holds the lock
        try:
            sent = pool.submit(post, api.client, query, variables, token=api.tokens["admin"])
            assert watched.asked.wait(30), "the mutation never asked for the write lock"
            # the answer comes at the deadline, while the write still waits for the lock
            response = sent.result(timeout=30)
        finally:
            watched.inner.release()
    message = refusal(response, "TIMEOUT", status=200)
    assert "longer than 1 s" in message
    assert watched.released.wait(30), "the write never finished"
    assert api.snapshot() == before, "a write answered TIMEOUT was written"
    assert api.services.read_model.version == model
    assert index.version == index_version
    if target is not None:
        assert target in api.services.read_model.practices
        assert history(api, target) == ["CREATE"]
    assert_healthy(api.app)


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_a_write_whose_refresh_outlasts_the_deadline_is_reported_done(
    api: Api, operation: str
) -> None:
    """The commit happens in time; the refresh after it takes longer than the deadline."""
    target = None if operation == "create" else create(api, f"Slow {operation}")
    query, variables = mutation(operation, target, f"Slow {operation}")

    def slow_listener(subjects: frozenset[str]) -> None:
        time.sleep(TIMEOUT * 1.5)

    api.services.on_change(slow_listener)
    try:
        response = post(api.client, query, variables, token=api.tokens["admin"])
    finally:
        api.services.listeners.remove(slow_listener)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    expected = {"create": "PracticeCreated", "update": "PracticeUpdated"}
    assert result["__typename"] == expected.get(operation, "PracticeDeleted"), result
    iri = result["id"]
    practices = api.services.read_model.practices
    if operation == "delete":
        assert iri not in practices
        assert not indexed(api, iri)
    else:
        assert iri in practices
        assert indexed(api, iri)
        if operation == "update":
            assert practices[iri].title["en"] == f"Slow {operation} 2"
    assert history(api, iri)[-1] == operation.upper()
    assert any(
        q.graph_name == PROVENANCE_GRAPH for q in api.services.store.quads(None, None, None, None)
    )
    assert_healthy(api.app)


def test_a_write_that_starts_after_its_deadline_is_not_written(tmp_path: Path) -> None:
    with attacked_api(tmp_path, request_timeout=1e-9) as api:
        token = api.make_token("admin", "admin")
        before = api.snapshot()
        for query, variables in (
            (CREATE, {"input": practice_input("Too late", BA)}),
            (DELETE, {"id": "practice/ohjaamo"}),
        ):
            refusal(post(api.client, query, variables, token=token), "TIMEOUT", status=200)
        assert api.snapshot() == before
        assert "https://w3id.org/graphsvc/id/practice/ohjaamo" in api.services.read_model.practices
        assert_healthy(api.app)


def test_writes_racing_their_deadlines_are_all_or_nothing(api: Api) -> None:
    """Sixteen creates from eight clients while the lock is contended: each answer says
    exactly what the store holds — created and visible, or TIMEOUT and absent."""
    titles = [f"Race {n}" for n in range(16)]

    def send(title: str) -> httpx.Response:
        with api.app.client(timeout=60) as client:
            return post(
                client, CREATE, {"input": practice_input(title, BA)}, token=api.tokens["admin"]
            )

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(send, titles))
    index = api.services.recommendations
    assert index is not None
    index.wait_until_current(30)
    stored_titles = {p.title.get("en") for p in api.services.read_model.practices.values()}
    for title, response in zip(titles, responses, strict=True):
        assert response.status_code == 200, response.text
        body = response.json()
        result = (body.get("data") or {}).get("createPractice")
        if result is None:
            assert {e["extensions"]["code"] for e in body["errors"]} == {"TIMEOUT"}
            assert title not in stored_titles
        else:
            assert result["__typename"] == "PracticeCreated"
            assert title in stored_titles
            assert indexed(api, result["id"])
    assert_healthy(api.app)
