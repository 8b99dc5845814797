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
from graphsvc.vocab import ID, PES, PREFIXES
from graphsvc.web.cache import ResultCache
from graphsvc.web.execute import QueryRunner

__all__ = [
    "DatasetStats",
    "WebState",
    "close_web_state",
    "compute_stats",
    "existing_web_state",
    "open_web_state",
    "web_state",
]

_PROV_CHANGES = (
    "SELECT (COUNT(?change) AS ?n) (MAX(?at) AS ?last) "
    "WHERE { GRAPH ?g { ?change prov:startedAtTime ?at } }"
)


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """Counts for VoID and the service description; computed once per dataset version."""

    quads: int
    triples_per_graph: tuple[tuple[str, int], ...]
    triples_per_property: tuple[tuple[str, int], ...]
    entities_per_class: tuple[tuple[str, int], ...]
    distinct_subjects: int
    distinct_objects: int
    entities: int
    examples: tuple[str, ...]


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def _pairs(store: GraphStore, sparql: str) -> tuple[tuple[str, int], ...]:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    return tuple((row["k"].value, _int(row["n"])) for row in result if row["k"] is not None)


def compute_stats(store: GraphStore) -> DatasetStats:
    """Count everything VoID states. Blocking; linear in the size of the store."""
    per_graph = _pairs(
        store,
        "SELECT (?g AS ?k) (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )
    per_property = _pairs(
        store,
        "SELECT (?p AS ?k) (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p",
    )
    per_class = _pairs(
        store,
        "SELECT (?c AS ?k) (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } "
        "GROUP BY ?c ORDER BY ?c",
    )
    distinct = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?s_n) (COUNT(DISTINCT ?o) AS ?o_n) "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert isinstance(distinct, QuerySolutions)
    row = next(iter(distinct))
    entities = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }",
        bindings={"space": Literal(str(ID))},
    )
    assert isinstance(entities, QuerySolutions)
    examples = store.query(
        "SELECT ?c (MIN(STR(?s)) AS ?k) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space) && STRSTARTS(STR(?c), ?ontology)) } "
        "GROUP BY ?c ORDER BY ?c",
        bindings={"space": Literal(str(ID)), "ontology": Literal(str(PES._NS))},
    )
    assert isinstance(examples, QuerySolutions)
    first_of_class = sorted({example["k"].value for example in examples if example["k"]})
    return DatasetStats(
        quads=sum(n for _, n in per_graph),
        triples_per_graph=per_graph,
        triples_per_property=per_property,
        entities_per_class=per_class,
        distinct_subjects=_int(row["s_n"]),
        distinct_objects=_int(row["o_n"]),
        entities=_int(next(iter(entities))["n"]),
        examples=tuple(first_of_class[:5]),
    )


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
                stats = await anyio.to_thread.run_sync(compute_stats, self.services.store)
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
