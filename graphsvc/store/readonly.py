"""The embedded store opened read-only, beside the process that writes it.

RocksDB lets one process hold a directory for writing (its ``LOCK``); a read-only instance takes
no lock and sees the store as it was when it opened, write-ahead log included. That is what
``graphsvc stats``, ``export`` and ``validate`` need while ``graphsvc serve`` runs.

A running writer may compact files away under a long read; RocksDB then reports an I/O error,
which surfaces as a :class:`~graphsvc.errors.StoreError` that says to retry. It may also do so
between the moment the manifest is read and the moment a table file it names is opened; opening
is then tried again, from the new manifest.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
from pyoxigraph import NamedNode, Quad

from graphsvc.errors import StoreError
from graphsvc.store.base import Changeset
from graphsvc.store.oxigraph import OxigraphStore

__all__ = ["ReadOnlyOxigraphStore"]


class ReadOnlyOxigraphStore(OxigraphStore):
    """An on-disk store opened with ``Store.read_only``: queries and dumps, no writes."""

    def __init__(self, path: Path) -> None:  # the writable constructor would take the lock
        self.path = path
        self.kind = "oxigraph"
        if not (path / "CURRENT").is_file():
            raise StoreError(f"no store at {path} (nothing has been loaded yet)")
        self._store = _open(path)

    def apply(self, changes: Changeset) -> None:
        raise StoreError(f"the store at {self.path} is open read-only")

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        raise StoreError(f"the store at {self.path} is open read-only")

    def close(self) -> None:
        """Release the store; a read-only instance has nothing to flush."""
        self.__dict__.pop("_store", None)


_OPEN_ATTEMPTS = 5


def _open(path: Path) -> pyoxigraph.Store:
    """``Store.read_only(path)``, tried again while the writer's compactions race it."""
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            return pyoxigraph.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            raced = "No such file or directory" in str(exc)
            if not raced or attempt == _OPEN_ATTEMPTS - 1:
                raise StoreError(f"cannot read the store at {path}: {exc}") from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
