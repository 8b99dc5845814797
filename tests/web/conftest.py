"""Fixtures of the web tests: seeded apps under uvicorn, shared by every test of the package.

The endpoint is read-only, so one seeded app serves all tests; ``limited_app`` has a tiny row
cap and time budget, for the limits. The apps for one kind of check (``limited_app``,
``slow_app``) send one query at a time and run one SPARQL query worker;
``web_app`` has the default pool.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support import RunningApp, run_app

from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds
from graphsvc.store.verdicts import Verdicts


@pytest.fixture(scope="session")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The application on a seeded in-memory store, with the default limits."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-data"), store="memory")
    with run_app(settings) as app:
        yield app


@pytest.fixture(scope="session")
def limited_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Seeded, with a cap of 3 rows and a time budget of 0.3 s per query."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("web-limited"),
        store="memory",
        sparql_max_rows=3,
        sparql_timeout=0.3,
        sparql_workers=1,  # one query at a time: one worker to start
    )
    with run_app(settings) as app:
        yield app


@pytest.fixture(scope="session")
def slow_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Seeded, with a time budget of 0.2 s and a row cap too high to matter."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("web-slow"),
        store="memory",
        sparql_max_rows=100_000_000,
        sparql_timeout=0.2,
        sparql_workers=1,  # one query at a time: one worker to start
    )
    with run_app(settings) as app:
        yield app


@pytest.fixture
def client(web_app: RunningApp) -> Iterator[httpx.Client]:
    with web_app.client() as http:
        yield http


@pytest.fixture(scope="session")
def seeded_store() -> Iterator[OxigraphStore]:
    """The same ontology and seeds in a store of the test's own, to compare answers with.

    Validated as the service's own seeding is: once, remembered by the files' digest.
    """
    settings = Settings()
    store = OxigraphStore(None)
    verdicts = Verdicts.at(settings.cache_dir)
    load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir, verdicts=verdicts)
    yield store
    store.close()


@pytest.fixture(scope="session")
def sparql_url(web_app: RunningApp) -> str:
    return web_app.base_url + "/sparql"
