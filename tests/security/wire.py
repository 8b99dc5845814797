"""What the attack modules share: a health check on a fresh connection, raw sockets, and clients
from loopback addresses of their own."""

from __future__ import annotations

import itertools
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from support import App, RunningApp

__all__ = ["VERIFY", "assert_healthy", "connect", "new_peer", "read_response", "read_until_closed"]

_PEERS = itertools.count()

VERIFY = httpx.create_ssl_context()
"""httpx's default verification, made once: a client or transport made without it loads the CA
bundle (20-30 ms of CPU), even for the plain-HTTP loopback URLs here."""


def assert_healthy(app: App) -> None:
    """The service still answers ``/healthz``, on a connection of its own."""
    with app.client(timeout=10.0) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def connect(app: RunningApp) -> socket.socket:
    parts = urlsplit(app.base_url)
    assert parts.hostname is not None and parts.port is not None
    return socket.create_connection((parts.hostname, parts.port), timeout=30.0)


def read_until_closed(sock: socket.socket, limit: float = 30.0) -> bytes:
    """Everything the server sends until it closes the connection; fail after ``limit`` s."""
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {limit} s; got {received!r}")
    except ConnectionResetError:
        pass  # closed with unread data of ours still in its buffer: closed all the same
    return received


def read_response(sock: socket.socket, limit: float = 30.0) -> tuple[bytes, bytes]:
    """The head and body of one response with a ``content-length``, read from ``sock``."""
    sock.settimeout(limit)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.partition(b":")[2])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole response body: {body!r}"
        body += chunk
    return head, body


def new_peer(app: RunningApp, timeout: float = 30.0) -> httpx.Client:
    """A client of ``app`` whose connections come from a loopback address that no earlier
    ``new_peer`` of this process used (127.0.1.2, 127.0.1.3, …): a client that the per-address
    limits have not seen, so several attacks can share one app without meeting each other's
    buckets."""
    n = next(_PEERS)
    address = f"127.0.{1 + n // 250}.{2 + n % 250}"
    transport = httpx.HTTPTransport(local_address=address, verify=VERIFY)
    return httpx.Client(base_url=app.base_url, transport=transport, timeout=timeout)
