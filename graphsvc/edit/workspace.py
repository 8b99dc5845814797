"""What the write path needs of a running service, as a protocol the write path owns.

:class:`graphsvc.services.Services` provides it; the write path never imports the composition
root that assembles it, so ``edit`` stays below ``services`` in the layers.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from graphsvc.edit.provenance import ChangeRecord
from graphsvc.model.readmodel import ReadModel
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset, GraphStore

__all__ = ["Workspace"]


class Workspace(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> GraphStore: ...

    @property
    def read_model(self) -> ReadModel: ...

    @property
    def write_lock(self) -> AbstractContextManager[Any]:
        """Held by a write from its first read to its commit."""
        ...

    def commit(
        self,
        changes: Changeset,
        record: ChangeRecord,
        touched: frozenset[str],
        may_commit: Callable[[], bool] = ...,
    ) -> None:
        """Write ``changes`` with ``record``'s PROV quads in one transaction; refresh what reads them."""
        ...
