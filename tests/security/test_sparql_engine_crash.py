"""Attack: a query that crashes the engine natively (SIGSEGV), past every limit.

With the limits lifted and a tiny stack for the query thread, a deep query crashes pyoxigraph.
It crashes one worker process: the request gets a plain 500, a fresh worker takes the slot, the
service and the other queries go on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import RunningApp, run_app

from graphsvc.settings import Settings
from graphsvc.web.state import existing_web_state

from .sparql_shapes import deep
from .wire import assert_healthy

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def fragile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("fragile"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),
        sparql_max_nesting=1_000_000,
        sparql_max_tokens=1_000_000,
        sparql_worker_stack_mib=1,
        sparql_workers=2,
    )
    with run_app(settings) as app:
        yield app


def _pool_replacements(app: RunningApp) -> int:
    state = existing_web_state(app.state)
    assert state is not None and state.pool is not None
    return state.pool.replaced


@pytest.mark.parametrize(
    ("kind", "depth"),
    [("expression parentheses", 20_000), ("negations", 50_000), ("group braces", 20_000)],
)
def test_a_crashing_query_costs_one_worker(fragile: RunningApp, kind: str, depth: int) -> None:
    with fragile.client() as client:
        assert client.get("/sparql", params={"query": "ASK {}"}, headers=JSON).status_code == 200
        before = _pool_replacements(fragile)
        crashed = client.post(
            "/sparql",
            content=deep(kind, depth).encode(),
            headers={"Content-Type": "application/sparql-query", **JSON},
        )
        assert crashed.status_code == 500
        assert crashed.headers["content-type"].startswith("text/plain")
        assert "the query engine failed on this query" in crashed.text
        assert "Traceback" not in crashed.text
        assert _pool_replacements(fragile) == before + 1
        for _ in range(4):  # every slot answers again, the replaced one included
            after = client.get("/sparql", params={"query": "ASK { }"}, headers=JSON)
            assert after.status_code == 200 and after.json()["boolean"] is True
    assert_healthy(fragile)
