"""Attack: hold the server's connections with requests that never finish arriving (slowloris).

A request head must be complete within ``GRAPHSVC_HEADER_TIMEOUT`` seconds of the connection (or
of its first byte, for a later request on a kept-alive connection), and a body within
``GRAPHSVC_BODY_TIMEOUT`` seconds of its head; otherwise ``408`` and the connection is closed.
The app here has quarter-second deadlines; each attack checks that ``/healthz`` answers meanwhile.
Every attack ends with its connections closed (by the server's 408, or by the attack itself), so
one app serves the whole module: none leaves anything behind for the next.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import RunningApp, free_port, run_app, wait_until

from graphsvc.http.timeouts import TimedHttpToolsProtocol, uvicorn_options
from graphsvc.settings import Settings

from .wire import VERIFY, assert_healthy, connect, read_response, read_until_closed

DEADLINE = 0.25
DRIP = 0.05  # seconds between two bytes of a drip: well within the deadline
HEAD_408 = b"HTTP/1.1 408 Request Timeout\r\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("slow-clients"),
        store="memory",
        load_seeds=False,
        sparql_workers=1,
        header_timeout=DEADLINE,
        body_timeout=DEADLINE,
    )
    with run_app(settings) as app:
        yield app


def assert_timed_out(received: bytes, phase: str) -> None:
    assert received.startswith(HEAD_408), received
    assert b"connection: close" in received.lower()
    assert f"the request {phase} did not arrive within {DEADLINE:g} s".encode() in received


@pytest.mark.parametrize(
    "partial",
    [
        b"GET /sparql?query=ASK",  # inside the request line
        b"GET /healthz HTTP/1.1\r\n",  # the request line, no headers
        b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ",  # inside a header
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n",  # no blank line
    ],
)
def test_a_request_head_that_stops_arriving_is_cut_off(app: RunningApp, partial: bytes) -> None:
    with connect(app) as sock:
        sock.sendall(partial)
        assert_healthy(app)  # while the slow one waits
        assert_timed_out(read_until_closed(sock), "head (request line and headers)")
    assert_healthy(app)


def test_a_drip_of_header_bytes_does_not_renew_the_deadline(app: RunningApp) -> None:
    with connect(app) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        closed = False
        for _ in range(400):  # one byte every DRIP: 20 s, far past the deadline
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(DRIP)
            sock.setblocking(False)
            try:
                if sock.recv(65536, socket.MSG_PEEK):
                    closed = True
                    break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        assert closed, "the server kept reading a head that never ends"
    assert_healthy(app)


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(app: RunningApp) -> None:
    with connect(app) as sock:
        assert read_until_closed(sock) == b""
    assert_healthy(app)


def test_many_slow_connections_at_once_do_not_stop_the_service(app: RunningApp) -> None:
    sockets: list[socket.socket] = []
    try:
        for n in range(100):  # each sends its partial head at once: none is idle till its end
            sockets.append(connect(app))
            sockets[-1].sendall(f"GET /sparql?query=ASK HTTP/1.1\r\nX-{n}: ".encode())
        assert_healthy(app)
        with app.client() as client:
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        for sock in sockets:
            assert read_until_closed(sock).startswith(HEAD_408)
    finally:
        for sock in sockets:
            sock.close()
    assert_healthy(app)


def test_a_kept_alive_connection_gets_the_deadline_for_each_request(app: RunningApp) -> None:
    with connect(app) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        head, body = read_response(sock)
        assert head.startswith(b"HTTP/1.1 200 ") and b'"ok"' in body
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: te")  # the second one stalls
        assert_timed_out(read_until_closed(sock), "head (request line and headers)")
    assert_healthy(app)


@pytest.mark.parametrize(
    ("path", "content_type", "start"),
    [
        ("/sparql", "application/sparql-query", b"SELECT * WHERE "),
        ("/sparql", "application/x-www-form-urlencoded", b"query=ASK"),
        ("/graphql", "application/json", b'{"query": "{ __typename'),
    ],
)
def test_a_body_that_stalls_gets_408(
    app: RunningApp, path: str, content_type: str, start: bytes
) -> None:
    with connect(app) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(start) + 100}\r\n\r\n"
        )
        sock.sendall(head.encode() + start)
        assert_healthy(app)
        assert_timed_out(read_until_closed(sock), "body")
    assert_healthy(app)


def test_a_drip_of_body_bytes_does_not_renew_the_deadline(app: RunningApp) -> None:
    with connect(app) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        received = b""
        for _ in range(400):  # 20 s of one byte every DRIP
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(DRIP)
            sock.setblocking(False)
            try:
                received = sock.recv(65536, socket.MSG_PEEK)
            except BlockingIOError:
                continue
            finally:
                sock.setblocking(True)
            if received:
                break
        assert received.startswith(HEAD_408), "the server kept reading a body that never ends"
    assert_healthy(app)


def test_a_body_sent_in_pieces_within_the_deadline_is_answered(app: RunningApp) -> None:
    query = b"ASK { ?s ?p ?o }"
    with connect(app) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\n"
            b"Content-Length: " + str(len(query)).encode() + b"\r\n\r\n"
        )
        for piece in (query[:5], query[5:]):
            sock.sendall(piece)
        head, body = read_response(sock)
        assert head.startswith(b"HTTP/1.1 200 ")
        assert b'"boolean":false' in body
    assert_healthy(app)


@pytest.fixture
def graphsvc_serve(tmp_path: Path) -> Iterator[str]:
    """``graphsvc serve`` as a real process, with the module's header deadline."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env |= {
        "GRAPHSVC_STORE": "memory",
        "GRAPHSVC_HEADER_TIMEOUT": f"{DEADLINE:g}",
        "GRAPHSVC_SPARQL_WORKERS": "1",  # no query is sent: one worker process is enough
    }
    command = [Path(sys.executable).parent / "graphsvc", "--data-dir", tmp_path, "serve"]
    process = subprocess.Popen(
        [*map(str, command), "--port", str(port), "--no-seed", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    # one client for every poll: each client made loads the CA bundle (30 ms of CPU), and the
    # service takes seconds to start
    poller = httpx.Client(base_url=url, timeout=1.0, verify=VERIFY)

    def answers() -> bool:
        try:
            return poller.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    try:
        with poller:
            wait_until(answers, 120, "graphsvc serve")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_graphsvc_serve_cuts_slow_clients_off(graphsvc_serve: str) -> None:
    host, port = graphsvc_serve.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert httpx.get(f"{graphsvc_serve}/healthz", timeout=10, verify=VERIFY).status_code == 200
        assert_timed_out(read_until_closed(sock), "head (request line and headers)")
    assert httpx.get(f"{graphsvc_serve}/healthz", timeout=10, verify=VERIFY).status_code == 200


def test_deadlines_from_settings() -> None:
    defaults = uvicorn_options(Settings())
    protocol = defaults["http"]
    assert issubclass(protocol, TimedHttpToolsProtocol)
    assert (protocol.header_timeout, protocol.body_timeout) == (10.0, 30.0)
    assert defaults["proxy_headers"] is False  # uvicorn must not believe X-Forwarded-For
    settings = Settings.from_env({"GRAPHSVC_HEADER_TIMEOUT": "2.5", "GRAPHSVC_BODY_TIMEOUT": "0"})
    configured = uvicorn_options(settings)["http"]
    assert (configured.header_timeout, configured.body_timeout) == (2.5, 0.0)
