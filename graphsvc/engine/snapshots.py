"""Read-only snapshots of the store for the query workers, one per write generation.

An on-disk store is snapshotted with RocksDB's checkpoint (``Store.backup``: hard links to its
immutable files, so it costs a flush and a directory of links, not a copy); workers open the
checkpoint read-only, which is safe because nothing ever writes it. An in-memory store is
dumped as N-Quads, which each worker loads into memory of its own (fine for the small datasets
that live in memory).

A snapshot is made when a query arrives after a write, so a query always sees every write
acknowledged before it was received. Snapshots that are neither the latest nor in use by a
query are deleted.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from graphsvc.engine.wire import Snapshot

__all__ = ["SnapshotKeeper"]


class SnapshotKeeper:
    """Makes and retires snapshots of ``store`` in a folder of its own under ``directory``
    (folders left there by processes that no longer run are removed).

    ``generation`` reads the store's write counter, taken before the snapshot is made, so a
    snapshot is never labelled with a later generation than the data it holds.
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        on_disk: bool,
        generation: Callable[[], int],
        directory: Path,
    ) -> None:
        self._store: pyoxigraph.Store | None = store
        self._on_disk = on_disk
        self._generation = generation
        _sweep(directory)
        self._directory = directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._directory.mkdir(parents=True)
        self._latest: Snapshot | None = None
        self._users: dict[Snapshot, int] = {}
        self._lock = asyncio.Lock()
        self._made = 0

    @property
    def made(self) -> int:
        """How many snapshots were made so far."""
        return self._made

    async def acquire(self) -> Snapshot:
        """The snapshot of the store as it is now, held until :meth:`release`."""
        async with self._lock:
            generation = self._generation()
            latest = self._latest
            if latest is None or latest.generation != generation:
                latest = await asyncio.to_thread(self._make, generation)
                previous, self._latest = self._latest, latest
                if previous is not None and not self._users.get(previous):
                    self._remove(previous)
            self._users[latest] = self._users.get(latest, 0) + 1
            return latest

    def release(self, snapshot: Snapshot) -> None:
        users = self._users.get(snapshot, 0) - 1
        if users > 0:
            self._users[snapshot] = users
            return
        self._users.pop(snapshot, None)
        if snapshot != self._latest:
            self._remove(snapshot)

    def close(self) -> None:
        """Remove the snapshots and let go of the store (whose directory lock is held for as
        long as any reference to it lives)."""
        self._store = None
        shutil.rmtree(self._directory, ignore_errors=True)

    def _make(self, generation: int) -> Snapshot:
        if self._store is None:
            raise RuntimeError("the snapshot keeper is closed")
        self._made += 1
        path = self._directory / f"{generation}-{self._made}"
        if self._on_disk:
            self._store.backup(str(path))
            return Snapshot(str(path), "rocksdb", generation)
        file = path.with_suffix(".nq")
        with file.open("wb") as output:
            self._store.dump(output, pyoxigraph.RdfFormat.N_QUADS)
        return Snapshot(str(file), "nquads", generation)

    @staticmethod
    def _remove(snapshot: Snapshot) -> None:
        path = Path(snapshot.path)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    """Remove the snapshot folders of processes that have ended."""
    if not directory.is_dir():
        return
    for folder in directory.iterdir():
        pid = folder.name.partition("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
