"""Real processes and sockets: ``oxigraph serve`` and the application under uvicorn.

For the tests where a socket is the point: durability across a restart, the SPARQL protocol
against a remote store, HTTP framing, time-outs and slow clients, worker processes.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import State

from graphsvc.app import create_app
from graphsvc.http.timeouts import uvicorn_options
from graphsvc.services import Services
from graphsvc.settings import Settings
from graphsvc.store import RemoteSparqlStore

__all__ = [
    "OXIGRAPH_BIN",
    "OxigraphServer",
    "RunningApp",
    "free_port",
    "run_app",
    "run_oxigraph_server",
    "wait_until",
]

OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
_VERIFY = httpx.create_ssl_context()
"""httpx's default verification, made once: a client made without it loads the CA bundle
(30 ms of CPU) even for the plain-HTTP loopback URLs here."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until it returns true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


# --- a real `oxigraph serve` process -------------------------------------------------------------


@dataclass(frozen=True)
class OxigraphServer:
    process: subprocess.Popen[bytes]
    base_url: str
    location: Path

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    def store(self) -> RemoteSparqlStore:
        return RemoteSparqlStore(self.query_url, self.update_url)

    def clear(self) -> None:
        """Empty the server's dataset (tests share one server)."""
        response = httpx.post(
            self.update_url,
            content=b"DROP SILENT ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30.0,
            verify=_VERIFY,
        )
        response.raise_for_status()


def _answers(url: str) -> bool:
    try:
        response = httpx.post(
            url,
            content=b"ASK {}",
            headers={"Content-Type": "application/sparql-query"},
            timeout=1.0,
            verify=_VERIFY,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@contextlib.contextmanager
def run_oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on a free loopback port; stop it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH_BIN), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = OxigraphServer(process, f"http://127.0.0.1:{port}", location)
    try:
        deadline = time.monotonic() + 30
        while not _answers(server.query_url):
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {process.returncode}: {err}")
            if time.monotonic() > deadline:
                pytest.fail("oxigraph serve did not answer within 30s")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


# --- the application under uvicorn ------------------------------------------------------------


@dataclass
class RunningApp:
    """The application served by uvicorn on a loopback port (see :func:`run_app`)."""

    base_url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread
    app: Starlette

    @property
    def state(self) -> State:
        """The application's ``app.state`` (services, web state)."""
        return self.app.state

    @property
    def services(self) -> Services:
        services: Services = self.state.services
        return services

    def client(self, timeout: float = 30.0) -> httpx.Client:
        """A client on connections of its own; close it (``with``) when done."""
        return httpx.Client(base_url=self.base_url, timeout=timeout, verify=_VERIFY)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        if self.thread.is_alive():
            pytest.fail("uvicorn did not shut down within 30s")


@contextlib.contextmanager
def run_app(settings: Settings, startup_timeout: float = 120.0) -> Iterator[RunningApp]:
    """Run ``create_app(settings)`` with uvicorn in a thread on a free port; stop it on exit."""
    port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        ws="none",
        access_log=False,
        **uvicorn_options(settings),  # the header and body time-outs of `graphsvc serve`
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    running = RunningApp(f"http://127.0.0.1:{port}", settings, server, thread, app)
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                pytest.fail("the app failed to start (see the captured log)")
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not start within {startup_timeout}s")
            time.sleep(0.05)
        yield running
    finally:
        if thread.is_alive():
            running.stop()
