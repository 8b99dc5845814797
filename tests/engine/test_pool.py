"""The query worker pool: a slot whose worker is being replaced is waited for, not called busy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphsvc.engine.evaluate import BudgetExceeded, QueryDataset
from graphsvc.engine.pool import PoolBusy, WorkerPool
from graphsvc.engine.snapshots import SnapshotKeeper

MEDIA = ("application/sparql-results+json", "text/turtle")
CROSS_PRODUCT = "SELECT ?x WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i BIND(1 AS ?x) }"


def _store() -> ox.Store:
    store = ox.Store()
    for i in range(200):
        store.add(
            ox.Quad(ox.NamedNode(f"http://x/s{i}"), ox.NamedNode("http://x/p"), ox.Literal(i))
        )
    return store


def test_the_request_after_a_killed_query_waits_for_the_fresh_worker(tmp_path: Path) -> None:
    # patience 0: a busy slot is refused at once, so only the wait for a start can serve this
    keeper = SnapshotKeeper(_store(), False, lambda: 0, tmp_path / "snapshots")
    pool = WorkerPool(keeper, 1, {}, patience=0.0)

    async def scenario() -> bytes:
        try:
            await pool.start()
            with pytest.raises(BudgetExceeded):
                await pool.answer(CROSS_PRODUCT, QueryDataset(), MEDIA, 10**9, 0.2)
            assert pool.replaced == 1  # the worker was killed and its replacement is starting
            answer = await pool.answer("ASK { ?s ?p ?o }", QueryDataset(), MEDIA, 10, 5.0)
            return answer.body
        finally:
            await pool.close()

    assert b"true" in asyncio.run(scenario())


def test_a_slot_busy_with_a_query_is_still_refused_after_the_patience(tmp_path: Path) -> None:
    keeper = SnapshotKeeper(_store(), False, lambda: 0, tmp_path / "snapshots")
    pool = WorkerPool(keeper, 1, {}, patience=0.05)

    async def scenario() -> None:
        try:
            await pool.start()
            slow = asyncio.create_task(
                pool.answer(CROSS_PRODUCT, QueryDataset(), MEDIA, 10**9, 30.0)
            )
            await asyncio.sleep(0)  # the task runs up to its first wait: it holds the only slot
            with pytest.raises(PoolBusy):
                await pool.answer("ASK { ?s ?p ?o }", QueryDataset(), MEDIA, 10, 5.0)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
        finally:
            await pool.close()

    asyncio.run(scenario())
