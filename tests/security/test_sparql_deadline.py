"""Attack: cheap queries that compute for ever without writing a byte (cartesian products,
aggregates and sorts over them, unbounded paths), sent several at once.

They used to be answered 503 while they kept running and kept their slots, so four of them
made ``/sparql`` unusable. Now each runs in a worker process that is killed at its deadline:
the work stops, the slot is free, and the next query is answered.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from collections.abc import Iterator

import httpx
import pytest
from support import RunningApp, run_app, wait_until

from graphsvc.settings import Settings
from graphsvc.web.state import existing_web_state

from .wire import VERIFY, assert_healthy

JSON = {"Accept": "application/sparql-results+json"}
TIMEOUT = 0.5
SLOTS = 2

CARTESIAN = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o"
SLOW_QUERIES = {
    "count of a cartesian product": f"SELECT (COUNT(*) AS ?n) WHERE {{ {CARTESIAN} }}",
    "sorted cartesian product": f"SELECT * WHERE {{ {CARTESIAN} }} ORDER BY ?a ?o LIMIT 1",
    "filter that never holds": f"ASK {{ {CARTESIAN} FILTER(STRLEN(STR(?a)) + STRLEN(STR(?o)) < 0) }}",
    "grouped cartesian product": f"SELECT ?a (COUNT(*) AS ?n) WHERE {{ {CARTESIAN} }} GROUP BY ?a",
    "distinct cartesian product": f"SELECT (COUNT(DISTINCT *) AS ?n) WHERE {{ {CARTESIAN} }}",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("deadline"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),  # the ontology: thousands of triples
        sparql_timeout=TIMEOUT,
        sparql_workers=SLOTS,
        sparql_cache_bytes=0,
    )
    with run_app(settings) as app:
        yield app


def _worker_pids(app: RunningApp) -> set[int]:
    state = existing_web_state(app.state)
    assert state is not None and state.pool is not None
    return state.pool.pids()


def _ask(app: RunningApp, query: str) -> httpx.Response:
    with app.client() as client:
        return client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", **JSON},
        )


@pytest.mark.parametrize("name", sorted(SLOW_QUERIES))
def test_a_query_past_its_deadline_is_stopped(service: RunningApp, name: str) -> None:
    assert _ask(service, "ASK {}").status_code == 200  # the workers are up
    before = _worker_pids(service)
    response = _ask(service, SLOW_QUERIES[name])
    assert response.status_code == 503
    assert "GRAPHSVC_SPARQL_TIMEOUT" in response.text or "longer than" in response.text
    stopped = before - _worker_pids(service)
    assert len(stopped) == 1  # its worker was killed: the work stopped
    (pid,) = stopped
    _wait_until_gone(pid)
    assert _ask(service, "ASK { ?s ?p ?o }").status_code == 200
    assert_healthy(service)


def test_a_flood_of_slow_queries_leaves_the_endpoint_usable(service: RunningApp) -> None:
    queries = [SLOW_QUERIES[name] for name in sorted(SLOW_QUERIES)] * 2  # 10, on 2 slots
    with concurrent.futures.ThreadPoolExecutor(len(queries)) as pool:
        answers = list(pool.map(lambda q: _ask(service, q), queries))
    # stopped at the deadline, turned away when busy, or over the per-client limit
    assert {a.status_code for a in answers} <= {503, 429}
    for _ in range(SLOTS * 2):  # every slot is free again, right after the flood
        response = _ask(service, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert response.status_code == 200, response.text
    # the killed workers' replacements start in the background: the pool is whole again soon
    wait_until(lambda: len(_worker_pids(service)) == SLOTS, 30, f"{SLOTS} workers again")
    assert_healthy(service)


def _wait_until_gone(pid: int) -> None:
    """Return once ``pid`` has ended (SIGKILL takes effect within moments); fail after 10 s."""
    for _ in range(1_000):
        if not _alive(pid):
            return
        time.sleep(0.01)
    pytest.fail(f"worker {pid} still runs 10 s after its deadline")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child not yet reaped is a zombie: dead all the same
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except (ProcessLookupError, FileNotFoundError):  # reaped since the signal: gone
        return False


def test_one_client_cannot_take_every_worker(service: RunningApp) -> None:
    # SLOTS workers, so each client may have SLOTS // 2 queries in them at once
    share = SLOTS // 2
    slow = SLOW_QUERIES["count of a cartesian product"]
    with concurrent.futures.ThreadPoolExecutor(share) as pool:
        hogs = [pool.submit(_ask, service, slow) for _ in range(share)]
        state = existing_web_state(service.state)
        assert state is not None
        # they are counted as this client's queries in the workers (they hold them till the
        # deadline): wait for that, not for a guessed time
        wait_until(lambda: sum(state.running.values()) == share, 10, "the queries to start")
        refused = _ask(service, "ASK { ?s ?p ?o }")
        # another client
        transport = httpx.HTTPTransport(local_address="127.0.0.2", verify=VERIFY)
        with httpx.Client(base_url=service.base_url, transport=transport, timeout=30) as other:
            served = other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
        assert [hog.result().status_code for hog in hogs] == [503] * share
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "GRAPHSVC_SPARQL_WORKERS_PER_CLIENT" in refused.text
    assert served.status_code == 200 and served.json()["boolean"] is True
    assert_healthy(service)
