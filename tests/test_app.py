"""The real application under uvicorn on a free port: /healthz, /graphql from the seeded store,
a clean shutdown that releases the store, and a startup that fails without half-writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions
from support import OxigraphServer, RunningApp, run_app

from graphsvc.settings import Settings
from graphsvc.store import GraphStore, OxigraphStore

CLASS_COUNTS = "{ classCounts { iri instances } }"
PES = "https://w3id.org/graphsvc/ontology#PublicEmploymentService"
# One SPARQL query worker (each loads the data as the app starts): these tests send no query to
# /sparql, and one still shows the store released and reopened beside a worker.
WORKERS = {"sparql_workers": 1}


def class_counts(store: GraphStore) -> dict[str, int]:
    result = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
    )
    assert isinstance(result, QuerySolutions)
    return {row["c"].value: int(row["n"].value) for row in result}  # type: ignore[union-attr]


def graphql(app: RunningApp, query: str) -> dict[str, object]:
    with app.client() as client:
        response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def answered_counts(app: RunningApp) -> dict[str, int]:
    body = graphql(app, CLASS_COUNTS)
    assert "errors" not in body, body
    data = body["data"]
    assert isinstance(data, dict)
    return {row["iri"]: row["instances"] for row in data["classCounts"]}


def test_embedded_app_seeds_answers_and_releases_the_store(
    tmp_settings: Settings, serve_app: Callable[[Settings], RunningApp]
) -> None:
    settings = tmp_settings.with_overrides(load_seeds=True, **WORKERS)
    app = serve_app(settings)
    with app.client() as client:
        health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["store"] == "oxigraph"
    counts = answered_counts(app)
    assert counts[PES] > 0
    app.stop()

    # the lock is released: the store reopens, and holds exactly what the app reported
    with OxigraphStore(settings.store_path) as store:
        assert class_counts(store) == counts
        size = len(store)

    # a second start finds the store seeded and does not seed it again
    with run_app(settings) as again:
        assert answered_counts(again) == counts
    with OxigraphStore(settings.store_path) as store:
        assert len(store) == size


def test_memory_app(memory_settings: Settings, serve_app: Callable[[Settings], RunningApp]) -> None:
    app = serve_app(memory_settings.with_overrides(load_seeds=True, **WORKERS))
    with app.client() as client:
        assert client.get("/healthz").json()["store"] == "memory"
    assert answered_counts(app)[PES] > 0


def test_remote_app_seeds_the_remote_store(
    oxigraph_server: OxigraphServer, serve_app: Callable[[Settings], RunningApp], tmp_path: Path
) -> None:
    oxigraph_server.clear()
    settings = Settings(
        data_dir=tmp_path,
        store="sparql",
        sparql_query_url=oxigraph_server.query_url,
        sparql_update_url=oxigraph_server.update_url,
    )
    app = serve_app(settings)
    with app.client() as client:
        assert client.get("/healthz").json()["store"] == "sparql"
    counts = answered_counts(app)
    remote = oxigraph_server.store()
    try:
        assert class_counts(remote) == counts
    finally:
        remote.close()
    app.stop()
    oxigraph_server.clear()


def test_bad_graphql_is_an_error_response_not_a_crash(
    memory_settings: Settings, serve_app: Callable[[Settings], RunningApp]
) -> None:
    app = serve_app(memory_settings.with_overrides(**WORKERS))
    with app.client() as client:
        response = client.post("/graphql", json={"query": "{ classCounts { nope } }"})
        assert "Traceback" not in response.text
        assert response.json()["errors"]
        assert client.get("/no/such/route").status_code == 404


# uvicorn ends its thread with SystemExit when the lifespan fails: that is the behaviour under test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_startup_that_fails_writes_nothing_and_releases_the_store(
    tmp_settings: Settings, project_copy: Path
) -> None:
    (project_copy / "seeds" / "zz-broken.trig").write_text("<a> <b> .\n")
    settings = tmp_settings.with_overrides(
        load_seeds=True, seeds_dir=project_copy / "seeds", **WORKERS
    )
    with pytest.raises(pytest.fail.Exception, match="failed to start"), run_app(settings):
        pass
    with OxigraphStore(settings.store_path) as store:
        assert store.is_empty()


def test_the_long_lived_objects_are_frozen_while_the_service_runs(
    memory_settings: Settings,
) -> None:
    """Full collections skip the read model and the index (see the lifespan in graphsvc.app)."""
    import gc

    with run_app(memory_settings.with_overrides(load_seeds=True, **WORKERS)) as app:
        frozen = gc.get_freeze_count()
        read_model = app.server.config.app.state.services.read_model  # type: ignore[union-attr]
        assert frozen > 10_000
        assert gc.is_tracked(read_model.practices)
        tracked = {id(o) for o in gc.get_objects()}  # the collector's generations, not frozen
        assert id(read_model.practices) not in tracked
