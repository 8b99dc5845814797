"""A worker's view of the change feed: numbering its own commits, following everyone else's.

:meth:`ChangeFeed.record` is called by :meth:`graphsvc.services.Services.commit` inside the commit
lock: it takes the next revision number and returns the quads that put it (and the change's
facets) on the PROV record, in the same transaction as the change.

When other processes may write the same store (a remote store, several workers), :meth:`poll`
reads the revisions above the last one delivered, refreshes the derived state (the read model,
the recommendation index, the web caches: every ``Services`` listener) for the subjects that
other workers changed, and delivers every change to this process's subscribers in revision
order. The lifespan runs it every ``GRAPHSVC_FEED_POLL_INTERVAL`` seconds (:meth:`follow`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Protocol

import anyio
import anyio.to_thread

from graphsvc.edit.provenance import ChangeRecord
from graphsvc.feed.changes import FeedChange, changes_since, facets_of, head_revision
from graphsvc.feed.changes import revision_quads as _revision_quads
from graphsvc.feed.hub import ChangeHub
from graphsvc.feed.lock import WriteLock
from graphsvc.model.readmodel import ReadModel
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset, GraphStore

if TYPE_CHECKING:
    from pyoxigraph import Quad

__all__ = ["ChangeFeed", "Followed", "following"]

log = logging.getLogger(__name__)


class Followed(Protocol):
    """What the feed needs of the running service (``graphsvc.services.Services`` provides it);
    the feed sits below the composition root that owns it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> GraphStore: ...

    @property
    def read_model(self) -> ReadModel: ...

    @property
    def write_lock(self) -> WriteLock: ...

    @property
    def feed(self) -> ChangeFeed | None: ...

    def notify(self, subjects: frozenset[str]) -> None:
        """Refresh the derived state for a write made elsewhere."""
        ...


class ChangeFeed:
    """Revision numbering, following and in-order delivery for one process."""

    def __init__(self, services: Followed, delivered: int | None = None) -> None:
        """``delivered``: the revision the derived state was built at (default: the store's
        head now); a first :meth:`poll` refreshes it for every later one."""
        self._services = services
        self.hub = ChangeHub()
        self._lock = threading.Lock()
        self._delivered = head_revision(services.store) if delivered is None else delivered
        self._pending: dict[int, FeedChange] = {}
        self._local: set[int] = set()
        self.last_poll: float | None = None
        self.refresh_seconds = 0.0

    @property
    def delivered(self) -> int:
        """The highest revision handed to this process's subscribers (every lower one too)."""
        return self._delivered

    @property
    def shared(self) -> bool:
        """Whether other processes may write the store, so that it must be followed."""
        return self._services.store.generation is None

    def record(self, record: ChangeRecord, changes: Changeset) -> tuple[FeedChange, list[Quad]]:
        """Number the change about to commit (under the write lock): the next revision and the
        quads that carry it, with the facets of the practice before and after."""
        revision = head_revision(self._services.store) + 1
        facets = facets_of(self._services.read_model, record.target, changes.add)
        change = FeedChange.of(record, revision, facets)
        return change, _revision_quads(change)

    def committed(self, change: FeedChange) -> None:
        """Deliver a change this process committed (its listeners have run); called under the
        services' write lock, like :meth:`poll`, so deliveries never interleave."""
        with self._lock:
            if self.shared:  # a poll will see it again: it must not refresh for it twice
                self._local.add(change.revision)
            self._pending[change.revision] = change
            ready = self._release()
        for item in ready:
            self.hub.publish(item)

    def _release(self) -> list[FeedChange]:
        ready = []
        while self._delivered + 1 in self._pending:
            self._delivered += 1
            ready.append(self._pending.pop(self._delivered))
        return ready

    def poll(self) -> int:
        """Catch up with the store (blocking): refresh the derived state for the changes other
        processes made, deliver all in order. Returns how many changes were new to this process."""
        services = self._services
        with services.write_lock.local:  # in order with this process's commits only
            changes = changes_since(services.store, self._delivered)
            with self._lock:
                foreign = [c for c in changes if c.revision not in self._local]
                self._local = {r for r in self._local if r > self._delivered}
            if foreign:
                started = time.perf_counter()
                services.notify(frozenset(c.target for c in foreign))
                self.refresh_seconds = time.perf_counter() - started
            with self._lock:
                ready = []
                for change in changes:  # what the store holds is committed: deliver it in order
                    if change.revision > self._delivered:
                        ready.append(self._pending.pop(change.revision, change))
                        self._delivered = change.revision
                for revision in [r for r in self._pending if r <= self._delivered]:
                    del self._pending[revision]
                ready.extend(self._release())
            for item in ready:  # under the write lock, so commits cannot publish in between
                self.hub.publish(item)
        self.last_poll = time.monotonic()
        return len(foreign)

    async def follow(self, interval: float, stopped: Callable[[], bool]) -> None:
        """Poll every ``interval`` seconds until ``stopped()``; a failed poll is logged and
        retried (the store may be restarting)."""
        while not stopped():
            try:
                await anyio.to_thread.run_sync(self.poll)
            except Exception:
                log.exception("reading the change feed failed")
            await anyio.sleep(interval)


@contextlib.asynccontextmanager
async def following(services: Followed) -> AsyncIterator[None]:
    """Follow the change feed while the block runs, when other processes may write the store."""
    feed = services.feed
    if feed is None or not feed.shared:
        yield
        return
    task = asyncio.create_task(feed.follow(services.settings.feed_poll_interval, lambda: False))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
