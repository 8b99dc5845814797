"""Shared fixtures: temporary settings, stores of every backend, real servers on free ports.

``any_store`` is parametrised over the three backends (``memory``, ``oxigraph`` on disk and
``sparql`` against a real ``oxigraph serve`` process), so a test that takes it runs three times.
``serve_app`` starts the real application with uvicorn on a free loopback port.
"""

from __future__ import annotations

import contextlib
import shutil
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

from graphsvc.app import create_app
from graphsvc.http.timeouts import uvicorn_options
from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.store import GraphStore, OxigraphStore, RemoteSparqlStore

VENV_BIN = Path(sys.executable).parent
OXIGRAPH_BIN = VENV_BIN / "oxigraph"
FIXTURES = Path(__file__).parent / "fixtures"
STORE_KINDS = ("memory", "oxigraph", "sparql")


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


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings for an on-disk store in a temporary data directory, without seeding."""
    return Settings(data_dir=tmp_path / "data", store="oxigraph", load_seeds=False)


@pytest.fixture
def memory_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", store="memory", load_seeds=False)


@pytest.fixture
def memory_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    yield store
    store.close()


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path / "store")
    yield store
    store.close()


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
        )
        response.raise_for_status()


def _answers(url: str) -> bool:
    try:
        response = httpx.post(
            url,
            content=b"ASK {}",
            headers={"Content-Type": "application/sparql-query"},
            timeout=1.0,
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


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One ``oxigraph serve`` process for the session; ``remote_store`` empties it per test."""
    with run_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


@pytest.fixture
def remote_store(oxigraph_server: OxigraphServer) -> Iterator[RemoteSparqlStore]:
    oxigraph_server.clear()
    store = oxigraph_server.store()
    yield store
    store.close()
    oxigraph_server.clear()


@pytest.fixture(params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend in turn."""
    store: GraphStore
    if request.param == "sparql":
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        server.clear()
        store = server.store()
    elif request.param == "oxigraph":
        store = OxigraphStore(tmp_path / "store")
    else:
        store = OxigraphStore(None)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def store_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], GraphStore]]:
    """``store_factory(kind)``: a fresh empty store of ``kind``; closed after the test."""
    opened: list[GraphStore] = []

    def make(kind: str) -> GraphStore:
        store: GraphStore
        if kind == "sparql":
            server: OxigraphServer = request.getfixturevalue("oxigraph_server")
            server.clear()
            store = server.store()
        elif kind == "oxigraph":
            store = OxigraphStore(tmp_path / f"store-{len(opened)}")
        else:
            store = OxigraphStore(None)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


# --- the application under uvicorn ------------------------------------------------------------


@dataclass
class RunningApp:
    base_url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30.0)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        if self.thread.is_alive():
            pytest.fail("uvicorn did not shut down within 30s")


@contextlib.contextmanager
def run_app(settings: Settings, startup_timeout: float = 120.0) -> Iterator[RunningApp]:
    """Run ``create_app(settings)`` with uvicorn in a thread on a free port; stop it on exit."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
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
    running = RunningApp(f"http://127.0.0.1:{port}", settings, server, thread)
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


@pytest.fixture
def serve_app() -> Iterator[Callable[[Settings], RunningApp]]:
    """``serve_app(settings)`` starts the app and returns its base URL; all stop after the test."""
    stack = contextlib.ExitStack()

    def start(settings: Settings) -> RunningApp:
        return stack.enter_context(run_app(settings))

    with stack:
        yield start


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of ``ontology/`` and ``seeds/`` that a test may change."""
    root = tmp_path / "project"
    for name in ("ontology", "seeds"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root
