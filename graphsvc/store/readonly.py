"""The embedded store opened read-only, beside the process that writes it.

RocksDB lets one process hold a directory for writing (its ``LOCK``); a read-only instance takes
no lock and sees the store as it was when it opened, write-ahead log included. That is what
``graphsvc stats``, ``export`` and ``validate`` need while ``graphsvc serve`` runs.

A running writer may compact files away under a long read; RocksDB then reports an I/O error,
which surfaces as a :class:`~graphsvc.errors.StoreError` that says to retry.
"""

from __future__ import annotations

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
        try:
            self._store = pyoxigraph.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot read the store at {path}: {exc}") from None

    def apply(self, changes: Changeset) -> None:
        raise StoreError(f"the store at {self.path} is open read-only")

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        raise StoreError(f"the store at {self.path} is open read-only")

    def close(self) -> None:
        """Release the store; a read-only instance has nothing to flush."""
        self.__dict__.pop("_store", None)
