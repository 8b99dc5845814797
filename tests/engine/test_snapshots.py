"""Snapshots for the query workers: one per write generation, retired once nobody uses them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyoxigraph as ox

from graphsvc.engine.snapshots import SnapshotKeeper

S, P = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")


def _quad(value: str) -> ox.Quad:
    return ox.Quad(S, P, ox.Literal(value))


def test_on_disk_snapshots_follow_writes_and_are_retired(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    generation = [0]
    keeper = SnapshotKeeper(store, True, lambda: generation[0], tmp_path / "snapshots")

    async def scenario() -> None:
        store.add(_quad("one"))
        first = await keeper.acquire()
        again = await keeper.acquire()
        assert again == first and first.kind == "rocksdb"
        keeper.release(again)

        store.add(_quad("two"))
        generation[0] += 1
        second = await keeper.acquire()
        assert second != first and second.generation == 1
        assert Path(first.path).is_dir()  # still held by a query
        keeper.release(first)
        assert not Path(first.path).exists()  # neither latest nor in use: removed

        copy = ox.Store.read_only(second.path)
        assert {q.object.value for q in copy.quads_for_pattern(S, P, None)} == {"one", "two"}
        del copy
        keeper.release(second)
        assert Path(second.path).is_dir()  # the latest stays, for the next query

    asyncio.run(scenario())
    keeper.close()
    assert not any((tmp_path / "snapshots").iterdir())


def test_in_memory_snapshots_are_n_quads_files(tmp_path: Path) -> None:
    store = ox.Store()
    store.add(_quad("only"))
    keeper = SnapshotKeeper(store, False, lambda: 7, tmp_path / "snapshots")
    snapshot = asyncio.run(keeper.acquire())
    assert snapshot.kind == "nquads" and snapshot.generation == 7
    loaded = ox.Store()
    loaded.bulk_load(path=snapshot.path, format=ox.RdfFormat.N_QUADS)
    assert len(loaded) == 1
    keeper.close()


def test_folders_of_ended_processes_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / "snapshots" / "999999999-deadbeef"  # no such process
    stale.mkdir(parents=True)
    keeper = SnapshotKeeper(ox.Store(), False, lambda: 0, tmp_path / "snapshots")
    assert not stale.exists()
    keeper.close()
