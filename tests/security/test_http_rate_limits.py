"""Attack: flood the researcher-facing routes, or hold many requests open at once.

Each client has a token bucket (``GRAPHSVC_WEB_RATE_PER_ADDRESS``, ``…_BURST_…``) and a cap on
its requests in progress (``GRAPHSVC_WEB_CONCURRENCY_PER_ADDRESS``) on every route under
``/sparql``, ``/id/``, ``/export/``, ``/graph/``, ``/ontology``, ``/dataset``,
``/.well-known/void`` and ``/context.jsonld``; a refusal is ``429`` with ``Retry-After``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from support import RunningApp, run_app

from graphsvc.http.buckets import InFlight, TokenBuckets
from graphsvc.settings import Settings
from graphsvc.web.state import existing_web_state

from .wire import assert_healthy, connect, new_peer, read_response

BURST = 3
FLOOD = {"web_rate_per_address": 0.001, "web_burst_per_address": BURST}
ASK = "ASK {}"


def assert_refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["access-control-allow-origin"] == "*"  # a web page can read why
    assert reason in response.text


ROUTES = [
    ("GET", "/sparql?query=ASK%20%7B%7D"),
    ("POST", "/sparql"),
    ("GET", "/sparql"),  # the service description
    ("GET", "/id/pes/nothing-here"),
    ("GET", "/export/nt"),
    ("GET", "/ontology"),
    ("GET", "/dataset"),
    ("GET", "/.well-known/void"),
    ("GET", "/graph/seed/nothing"),
    ("GET", "/context.jsonld"),
    ("OPTIONS", "/sparql"),
]


@pytest.fixture(scope="module")
def flooded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """One app with the ``FLOOD`` limits for the flood on each route: each floods it from an
    address of its own (:func:`new_peer`), so none meets a bucket that another emptied."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("flooded"),
        store="memory",
        load_seeds=False,
        sparql_workers=1,
    ).with_overrides(**FLOOD)
    with run_app(settings) as app:
        yield app


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_flood_on_any_researcher_route_gets_429(
    flooded: RunningApp, method: str, path: str
) -> None:
    app = flooded
    headers = {"Content-Type": "application/sparql-query"} if method == "POST" else {}
    content = ASK.encode() if method == "POST" else None
    with new_peer(app) as client:
        for _ in range(BURST):
            response = client.request(method, path, headers=headers, content=content)
            assert response.status_code < 429
        assert_refused(
            client.request(method, path, headers=headers, content=content),
            "too many requests from this address: at most 0.001 per second (bursts of 3)",
        )
        # the bucket is the client's, not the route's
        assert client.get("/export/nq").status_code == 429
        # /healthz and /graphql are not researcher routes (GraphQL has limits of its own)
        assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
    assert_healthy(app)


def test_cached_answers_are_counted_too(http_service: Callable[..., RunningApp]) -> None:
    app = http_service(**FLOOD)
    with app.client() as client:
        for _ in range(BURST):
            assert client.get("/sparql", params={"query": ASK}).status_code == 200
        state = existing_web_state(app.state)
        assert state is not None
        hits = state.results.hits
        assert hits >= 1  # answered from the cache, before the router, and still counted
        assert_refused(client.get("/sparql", params={"query": ASK}), "too many requests")
        assert state.results.hits == hits  # refused before the cache was asked
    assert_healthy(app)


def hold_request(app: RunningApp, forwarded_for: str | None = None) -> socket.socket:
    """A ``POST /sparql`` whose body never comes: in progress until the socket closes.

    ``Expect: 100-continue`` makes the server say when the application asks for the body,
    which is after the limits have counted the request."""
    sock = connect(app)
    head = (
        "POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {len(ASK)}\r\nExpect: 100-continue\r\n"
    )
    if forwarded_for:
        head += f"X-Forwarded-For: {forwarded_for}\r\n"
    sock.sendall(head.encode() + b"\r\n")
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1024)
        assert chunk, f"closed before the interim response: {interim!r}"
        interim += chunk
    assert interim.startswith(b"HTTP/1.1 100 ")
    return sock


def finish(sock: socket.socket) -> bytes:
    """Send the held request's body; the head of its response."""
    with sock:
        sock.sendall(ASK.encode())
        head, _body = read_response(sock)
    return head


def test_one_client_cannot_hold_more_requests_than_its_share(
    http_service: Callable[..., RunningApp],
) -> None:
    app = http_service(web_concurrency_per_address=2)
    held = [hold_request(app), hold_request(app)]
    try:
        with app.client() as client:
            for _ in range(3):
                assert_refused(
                    client.get("/sparql", params={"query": ASK}),
                    "too many requests from this address in progress: at most 2 at once",
                )
            assert_healthy(app)
            # one finishes: a slot is free again
            assert finish(held.pop()).startswith(b"HTTP/1.1 200 ")
            assert client.get("/sparql", params={"query": ASK}).status_code == 200
    finally:
        for sock in held:
            sock.close()
    assert_healthy(app)


def test_other_clients_keep_their_share(http_service: Callable[..., RunningApp]) -> None:
    app = http_service(web_concurrency_per_address=2, trusted_proxies=("127.0.0.1",))
    held = [hold_request(app, "203.0.113.7"), hold_request(app, "203.0.113.7")]
    try:
        with app.client() as client:
            mine = {"X-Forwarded-For": "203.0.113.7"}
            other = {"X-Forwarded-For": "198.51.100.1"}
            assert client.get("/sparql", params={"query": ASK}, headers=mine).status_code == 429
            assert client.get("/sparql", params={"query": ASK}, headers=other).status_code == 200
    finally:
        for sock in held:
            sock.close()
    assert_healthy(app)


def test_the_limits_can_be_turned_off(http_service: Callable[..., RunningApp]) -> None:
    app = http_service(web_rate_per_address=0, web_concurrency_per_address=0)
    with app.client() as client:
        assert all(client.get("/context.jsonld").status_code == 200 for _ in range(50))
    assert_healthy(app)


def test_a_bucket_refills_at_its_rate() -> None:
    buckets = TokenBuckets(rate=2.0, burst=3)
    assert [buckets.acquire("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.acquire("a", now=100.0) == pytest.approx(0.5)
    assert buckets.acquire("a", now=100.5) == 0.0
    assert buckets.acquire("a", now=1000.0) == 0.0  # never more than the burst after a pause
    assert [buckets.acquire("a", now=1000.0) for _ in range(3)][-1] > 0
    assert buckets.acquire("b", now=1000.0) == 0.0  # each key its own bucket
    assert TokenBuckets(rate=0, burst=1).acquire("a") == 0.0  # off


def test_the_bucket_table_stays_bounded_under_a_flood_of_addresses() -> None:
    buckets = TokenBuckets(rate=0.1, burst=3, max_keys=100)
    for _ in range(3):
        buckets.acquire("busy", now=0.0)
    for n in range(99):
        buckets.acquire(f"10.0.0.{n}", now=0.0)
    # 15 s later the one-request clients have refilled, the busy one has not
    buckets.acquire("203.0.113.1", now=15.0)
    assert len(buckets) <= 100
    assert buckets.acquire("busy", now=15.0) == 0.0  # 1.5 tokens: remembered, not reset to 3
    assert buckets.acquire("busy", now=15.0) > 0
    # a flood of new addresses that all stay busy: the table still never grows past the bound
    for n in range(10_000):
        buckets.acquire(f"flood-{n}", now=20.0)
        assert len(buckets) <= 100


def test_requests_in_flight_are_forgotten_when_they_end() -> None:
    in_flight = InFlight(limit=2)
    assert in_flight.enter("a") and in_flight.enter("a")
    assert not in_flight.enter("a")
    assert in_flight.enter("b")
    in_flight.leave("a")
    assert in_flight.enter("a")
    for key in ("a", "a", "b"):
        in_flight.leave(key)
    assert len(in_flight) == 0


def test_limits_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GRAPHSVC_WEB_RATE_PER_ADDRESS": "5.5",
            "GRAPHSVC_WEB_BURST_PER_ADDRESS": "20",
            "GRAPHSVC_WEB_CONCURRENCY_PER_ADDRESS": "2",
            "GRAPHSVC_MAX_TRACKED_CLIENTS": "1000",
        }
    )
    assert (settings.web_rate_per_address, settings.web_burst_per_address) == (5.5, 20)
    assert (settings.web_concurrency_per_address, settings.max_tracked_clients) == (2, 1000)
    default = Settings()
    assert (default.web_rate_per_address, default.web_burst_per_address) == (50.0, 200)
    assert default.web_concurrency_per_address == 8
