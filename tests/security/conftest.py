"""Fixtures of the attack catalogue: the real application under uvicorn on loopback.

``http_service(**settings)`` starts a fresh app for one test (an empty in-memory store and one
query worker unless the settings say otherwise: these attacks send their queries one at a time,
and each worker is a process to start), so that what one attack leaves behind (an empty bucket,
a held connection) never decides another test; ``seeded_service`` is one app with the ontology loaded,
for the session, for attacks that leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import RunningApp, run_app

from graphsvc.settings import Settings


@pytest.fixture
def http_service(
    serve_app: Callable[[Settings], RunningApp], tmp_path: Path
) -> Callable[..., RunningApp]:
    def start(**overrides: object) -> RunningApp:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "store": "memory",
            "load_seeds": False,
            "sparql_workers": 1,
            **overrides,
        }
        return serve_app(Settings(**values))  # type: ignore[arg-type]

    return start


@pytest.fixture(scope="session")
def seeded_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The ontology and its concept schemes, without seeds: every kind of page has data."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("security-seeded"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),
    )
    with run_app(settings) as app:
        yield app
