"""Clusters of workers over each kind of store: embedded (the service owns an ``oxigraph serve``
on its store), a real ``oxigraph serve`` and a real Virtuoso."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import run_oxigraph_server

from graphsvc.settings import Settings

from .servers import Cluster, VirtuosoServer, run_cluster, run_virtuoso

STORES = ("embedded", "oxigraph", "virtuoso")
CLUSTERS = [(store, 3) for store in STORES]
"""Every store with three workers, where each test writes through one worker and reads through
each of the two others: three workers do between any two of them all that two workers do, on
every store. Two workers over the embedded store, the default deployment, serve the backup
under streaming writes (``test_backup.py``) and ``make loadtest``."""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with run_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module", params=CLUSTERS, ids=[f"{s}-{n}w" for s, n in CLUSTERS])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """``graphsvc serve --workers N`` over a seeded store of each kind."""
    store, workers = request.param
    data = tmp_path_factory.mktemp(f"cluster-{store}-{workers}")
    settings = Settings(data_dir=data)
    env = {"GRAPHSVC_DATA_DIR": str(data), "GRAPHSVC_SPARQL_WORKERS": "1"}
    if store == "embedded":
        with run_cluster(workers, settings, {**env, "GRAPHSVC_STORE": "oxigraph"}) as running:
            yield running
        return
    if store == "virtuoso":
        server: VirtuosoServer = request.getfixturevalue("virtuoso_server")
        server.clear()
        urls = {
            "GRAPHSVC_SPARQL_QUERY_URL": server.endpoint,
            "GRAPHSVC_SPARQL_UPDATE_URL": server.endpoint,
        }
        with run_cluster(workers, settings, {**env, "GRAPHSVC_STORE": "sparql", **urls}) as running:
            yield running
        server.clear()
        return
    with run_oxigraph_server(tmp_path_factory.mktemp("oxigraph-serve")) as oxigraph:
        urls = {
            "GRAPHSVC_SPARQL_QUERY_URL": oxigraph.query_url,
            "GRAPHSVC_SPARQL_UPDATE_URL": oxigraph.update_url,
        }
        with run_cluster(workers, settings, {**env, "GRAPHSVC_STORE": "sparql", **urls}) as running:
            yield running
