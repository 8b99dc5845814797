"""The suite's pytest fixtures, registered for every test by ``tests/conftest.py``.

Stores: ``memory_store``, ``disk_store``, ``remote_store`` (the session's ``oxigraph_server``,
emptied per test), ``any_store`` (parametrised over the three backends, so a test that takes it
runs three times) and ``store_factory(kind)``. Settings: ``tmp_settings`` (on disk),
``memory_settings``. Applications: ``local_app(settings)`` runs one in this process (no socket,
see :mod:`support.inprocess`), ``serve_app(settings)`` under uvicorn on a loopback port (see
:mod:`support.servers`); both stop after the test. ``project_copy`` is a copy of ``ontology/``
and ``seeds/`` a test may change; ``fixtures_dir`` is ``tests/fixtures``.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.store import GraphStore, OxigraphStore, RemoteSparqlStore

from .inprocess import LocalApp, open_app
from .servers import OxigraphServer, RunningApp, run_app, run_oxigraph_server

__all__ = [
    "FIXTURES",
    "STORE_KINDS",
    "any_store",
    "collect_leftovers",
    "disk_store",
    "fixtures_dir",
    "local_app",
    "memory_settings",
    "memory_store",
    "oxigraph_server",
    "project_copy",
    "remote_store",
    "serve_app",
    "store_factory",
    "tmp_settings",
]

FIXTURES = Path(__file__).parent.parent / "fixtures"
STORE_KINDS = ("memory", "oxigraph", "sparql")


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


def _open_store(request: pytest.FixtureRequest, kind: str, path: Path) -> GraphStore:
    if kind == "sparql":
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        server.clear()
        return server.store()
    if kind == "oxigraph":
        return OxigraphStore(path)
    return OxigraphStore(None)


@pytest.fixture(params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend in turn."""
    store = _open_store(request, request.param, tmp_path / "store")
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
        store = _open_store(request, kind, tmp_path / f"store-{len(opened)}")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def serve_app() -> Iterator[Callable[[Settings], RunningApp]]:
    """``serve_app(settings)`` starts the app under uvicorn; all stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda settings: stack.enter_context(run_app(settings))


@pytest.fixture
def local_app() -> Iterator[Callable[[Settings], LocalApp]]:
    """``local_app(settings)`` starts the app in this process; all stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda settings: stack.enter_context(open_app(settings))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of ``ontology/`` and ``seeds/`` that a test may change."""
    root = tmp_path / "project"
    for name in ("ontology", "seeds"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root


@pytest.fixture(scope="module", autouse=True)
def collect_leftovers() -> None:
    """Collect what earlier modules left for the garbage collector before a module starts.

    With ``filterwarnings = error``, an event loop or socket that a finished module's helpers did
    not close (its ``ResourceWarning`` raised in ``__del__``) would otherwise fail whichever later
    test happens to run a collection, such as the app's lifespan (``gc.collect``) on the same
    xdist worker, far from its cause.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
