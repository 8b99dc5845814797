"""Per-service state of the web interface: query slots, recent answers, the dataset's version
and its statistics.

The version behind ``ETag`` and ``Last-Modified`` combines three things, so that a validator is
never reused for changed data: a token of this process (a restart, which may follow an offline
``graphsvc load``, invalidates everything), a counter bumped by the service's change listener
(every committed write of this process), and the count and latest time of the PROV change
records in the store (writes made by other workers sharing a remote store).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import anyio
import anyio.to_thread
from pyoxigraph import Literal, QuerySolutions
from starlette.datastructures import State
from starlette.requests import Request

from graphsvc.engine.pool import WorkerPool
from graphsvc.engine.snapshots import SnapshotKeeper
from graphsvc.services import Services
from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.base import GraphStore
from graphsvc.store.stats import DatasetStats, dataset_stats
from graphsvc.vocab import PREFIXES
from graphsvc.web.cache import ResultCache
from graphsvc.web.execute import QueryRunner

__all__ = [
    "WebState",
    "close_web_state",
    "existing_web_state",
    "open_web_state",
    "web_state",
]

_PROV_CHANGES = (
    "SELECT (COUNT(?change) AS ?n) (MAX(?at) AS ?last) "
    "WHERE { GRAPH ?g { ?change prov:startedAtTime ?at } }"
)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


@dataclass
class WebState:
    services: Services
    runner: QueryRunner  # remote stores: queries run in threads, the remote server works
    pool: WorkerPool | None  # the embedded store: queries run in worker processes
    results: ResultCache
    boot: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    version: int = 0
    changed_at: datetime | None = None
    _stats: tuple[str, DatasetStats] | None = None
    _stats_lock: anyio.Lock = field(default_factory=anyio.Lock)
    long_inspections: anyio.Lock = field(default_factory=anyio.Lock)  # one long text at a time
    running: dict[str, int] = field(default_factory=dict)  # queries in a worker, per client
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_change(self, subjects: frozenset[str]) -> None:
        with self._lock:
            self.version += 1
            self.changed_at = datetime.now(UTC).replace(microsecond=0)

    def _prov(self) -> tuple[int, datetime | None]:
        result = self.services.store.query(_PROV_CHANGES)
        assert isinstance(result, QuerySolutions)
        row = next(iter(result), None)
        if row is None:
            return 0, None
        last = row["last"]
        when: datetime | None = None
        if isinstance(last, Literal):
            try:
                when = datetime.fromisoformat(last.value.replace("Z", "+00:00"))
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
            except ValueError:
                when = None
        return _int(row["n"]), when

    async def validators(self) -> tuple[str, datetime]:
        """(version token, last-modified time) of the dataset as it is now."""
        changes, last = await anyio.to_thread.run_sync(self._prov)
        token = f"{self.boot}:{self.version}:{changes}:{last.isoformat() if last else ''}"
        now = datetime.now(UTC).replace(microsecond=0)
        candidates = [self.started_at, self.changed_at, last]
        modified = max(c for c in candidates if c is not None)
        return token, min(modified.replace(microsecond=0), now)

    async def stats(self) -> tuple[DatasetStats, datetime]:
        token, modified = await self.validators()
        async with self._stats_lock:
            if self._stats is None or self._stats[0] != token:
                stats = await anyio.to_thread.run_sync(dataset_stats, self.services.store)
                self._stats = (token, stats)
            return self._stats[1], modified


def etag(*parts: str) -> str:
    """A strong entity tag over ``parts`` (the dataset version and the representation)."""
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'


_STATE_LOCK = threading.Lock()


def existing_web_state(app_state: State) -> WebState | None:
    """The :class:`WebState` of the running service, if a request has created it already."""
    current: WebState | None = getattr(app_state, "graphsvc_web", None)
    if current is None or current.services is not getattr(app_state, "services", None):
        return None  # none yet, or one of an earlier run of the application
    return current


def web_state(request: Request) -> WebState:
    """The :class:`WebState` of the running service, created on first use."""
    app_state = request.app.state
    with _STATE_LOCK:
        return existing_web_state(app_state) or _new_web_state(app_state, app_state.services)


def _new_web_state(app_state: State, services: Services) -> WebState:
    settings = services.settings
    current = WebState(
        services,
        QueryRunner(settings.sparql_workers),
        _worker_pool(services.store, settings),
        ResultCache(settings.sparql_cache_bytes),
    )
    services.on_change(current.on_change)
    app_state.graphsvc_web = current
    return current


def _worker_pool(store: GraphStore, settings: Settings) -> WorkerPool | None:
    """Worker processes for queries on the embedded store; none for a remote store."""
    if not isinstance(store, OxigraphStore):
        return None
    keeper = SnapshotKeeper(
        store.raw,
        store.path is not None,
        lambda: store.generation,
        settings.data_dir / "snapshots",
    )
    return WorkerPool(keeper, settings.sparql_workers, PREFIXES, settings.sparql_worker_stack_mib)


async def open_web_state(app_state: State) -> None:
    """Set up the web interface of a starting service: its query workers open the data now,
    so the first query is not kept waiting for them."""
    services: Services = app_state.services
    with _STATE_LOCK:
        current = existing_web_state(app_state) or _new_web_state(app_state, services)
    if current.pool is not None:
        await current.pool.warm()


async def close_web_state(app_state: State) -> None:
    """Stop what the web interface started for this service (its query workers)."""
    current = existing_web_state(app_state)
    if current is not None and current.pool is not None:
        await current.pool.close()
