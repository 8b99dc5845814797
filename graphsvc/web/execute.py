"""Run one SPARQL query within a time budget and a row cap, serialised natively by pyoxigraph.

The query runs in a worker thread (pyoxigraph releases the GIL while it evaluates). Results are
written by pyoxigraph's own serialiser into a :class:`_LineWriter` that counts rows as lines:
SELECT results as TSV (one line per row), graphs as N-Triples (one line per triple). The writer
stops the evaluation as soon as the cap is passed or the time budget is spent, so a capped or
timed-out query stops working instead of running to the end. Other formats are produced from
the capped TSV or N-Triples by pyoxigraph's parser and serialiser, still without Python per row.

A query that spends its whole budget before producing a byte (a large aggregate, say) is
abandoned: the caller answers 503 on time and the thread ends when pyoxigraph returns. At most
``slots`` queries, abandoned ones included, run at once; a request waits for a free slot up to
``patience`` seconds (by default its own time budget), then gets 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, TypeVar, cast

import anyio
import anyio.to_thread
import pyoxigraph
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
)

from graphsvc.errors import RemoteStoreError
from graphsvc.store.base import GraphStore
from graphsvc.vocab import PREFIXES
from graphsvc.web.errors import BusyError, MalformedQueryError, QueryTimeoutError
from graphsvc.web.formats import RDF_FORMATS, RESULTS_FORMATS

__all__ = ["Answer", "Budget", "QueryDataset", "QueryRunner", "run_query", "used_prefixes"]

T = TypeVar("T")

_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class QueryDataset:
    """The RDF dataset a query runs against (SPARQL 1.1 Protocol, section 2.1.4).

    ``None`` graphs mean "as the query says" (its ``FROM`` clauses, else the union of all graphs
    as the default graph and every named graph).
    """

    default_graphs: tuple[NamedNode, ...] | None = None
    named_graphs: tuple[NamedNode, ...] | None = None
    union_default_graph: bool = True


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    media_type: str
    kind: str  # "solutions", "boolean" or "graph"
    count: int | None  # rows or triples in the body; None for ASK
    truncated: bool


class Budget:
    """A deadline and a cancel flag, checked each time the serialiser writes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        if self._cancelled.is_set() or time.monotonic() > self.deadline:
            raise QueryTimeoutError(self.seconds)


class _RowLimitReached(Exception):
    """Raised inside the serialiser to stop the evaluation once the cap is passed."""


class _LineWriter:
    """A binary sink for pyoxigraph that keeps at most ``header + limit`` lines."""

    def __init__(self, budget: Budget, limit: int, header: int) -> None:
        self._budget = budget
        self._allowed = header + limit
        self._chunks: list[bytes] = []
        self._lines = 0
        self.truncated = False

    def write(self, data: bytes) -> int:
        self._budget.check()
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._lines += chunk.count(b"\n")
        if self._lines > self._allowed:
            self.truncated = True
            raise _RowLimitReached
        return len(chunk)

    def flush(self) -> None:
        return None

    def value(self) -> bytes:
        body = b"".join(self._chunks)
        if not self.truncated:
            return body
        end = -1
        for _ in range(self._allowed):
            end = body.index(b"\n", end + 1)
        return body[: end + 1]


def used_prefixes(body: bytes, prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The subset of ``prefixes`` whose namespace occurs in N-Triples ``body``."""
    return {p: ns for p, ns in prefixes.items() if b"<" + ns.encode() in body}


def _lines(body: bytes) -> int:
    return body.count(b"\n")


def run_query(
    store: GraphStore,
    text: str,
    dataset: QueryDataset,
    offer: str,
    max_rows: int,
    budget: Budget,
) -> Answer:
    """Evaluate ``text`` and serialise it as ``offer`` (a name from ``formats``). Blocking."""
    try:
        result = store.query(
            text,
            default_graph=list(dataset.default_graphs)
            if dataset.default_graphs is not None
            else None,
            named_graphs=list(dataset.named_graphs) if dataset.named_graphs is not None else None,
            union_default_graph=dataset.union_default_graph,
        )
    except SyntaxError as exc:
        raise _malformed(exc) from None
    except RemoteStoreError as exc:
        if exc.status == 400:
            raise MalformedQueryError(str(exc)) from None
        raise
    failure: BaseException | None = None
    try:
        answer = _serialise(result, offer, max_rows, budget)
    except BaseException as exc:
        # the traceback holds the result, which pyoxigraph allows to be dropped only in this
        # thread: cut it, and drop the result here, before the error crosses to the event loop
        failure = exc.with_traceback(None)
    del result
    if failure is not None:
        raise failure
    return answer


def _serialise(result: object, offer: str, max_rows: int, budget: Budget) -> Answer:
    budget.check()
    if isinstance(result, QueryBoolean):
        fmt = RESULTS_FORMATS.get(offer, QueryResultsFormat.JSON)
        body = result.serialize(format=fmt) or b""
        return Answer(body, fmt.media_type, "boolean", None, False)

    if isinstance(result, QuerySolutions):
        tsv = _LineWriter(budget, max_rows, header=1)
        with contextlib.suppress(_RowLimitReached):
            result.serialize(cast(IO[bytes], tsv), QueryResultsFormat.TSV)
        body = tsv.value()
        count = max(_lines(body) - 1, 0)
        fmt = RESULTS_FORMATS.get(offer, QueryResultsFormat.JSON)
        if fmt != QueryResultsFormat.TSV:
            parsed = pyoxigraph.parse_query_results(body, QueryResultsFormat.TSV)
            assert isinstance(parsed, QuerySolutions)
            body = parsed.serialize(format=fmt) or b""
        return Answer(body, fmt.media_type, "solutions", count, tsv.truncated)

    nt = _LineWriter(budget, max_rows, header=0)
    with contextlib.suppress(_RowLimitReached):
        if isinstance(result, QueryTriples):
            result.serialize(cast(IO[bytes], nt), RdfFormat.N_TRIPLES)
        else:
            pyoxigraph.serialize(result, cast(IO[bytes], nt), RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    body = nt.value()
    count = _lines(body)
    rdf_format = RDF_FORMATS.get(offer, RdfFormat.TURTLE)
    if rdf_format != RdfFormat.N_TRIPLES:
        triples = pyoxigraph.parse(body, RdfFormat.N_TRIPLES)
        body = pyoxigraph.serialize(triples, format=rdf_format, prefixes=used_prefixes(body)) or b""
    return Answer(body, rdf_format.media_type, "graph", count, nt.truncated)


def _malformed(exc: SyntaxError) -> MalformedQueryError:
    message = str(exc.msg if exc.msg else exc)
    match = _SYNTAX.match(message)
    if match:
        return MalformedQueryError(match.group(3).strip(), int(match.group(1)), int(match.group(2)))
    return MalformedQueryError(message)


class _Ticket:
    """One query slot, released exactly once: by the worker thread when the work ends (handed to
    the event loop, which owns the semaphore), or by the caller if the work never started."""

    def __init__(self, slots: anyio.Semaphore, loop: asyncio.AbstractEventLoop) -> None:
        self._slots = slots
        self._loop = loop
        self._lock = threading.Lock()
        self._released = False
        self.started = False

    def _take(self) -> bool:
        with self._lock:
            first, self._released = not self._released, True
            return first

    def release_from_thread(self) -> None:
        if self._take():
            with contextlib.suppress(RuntimeError):  # the loop has closed: nothing waits
                self._loop.call_soon_threadsafe(self._slots.release)

    def release_here(self) -> None:
        if self._take():
            self._slots.release()


class QueryRunner:
    """Runs blocking query work in worker threads: bounded in number and in time.

    A request waits for a free slot in arrival order, up to ``patience`` seconds (by default the
    query's own time budget), then gets :class:`BusyError`.
    """

    def __init__(self, slots: int, patience: float | None = None) -> None:
        self.slots = max(1, slots)
        self.patience = patience
        self._semaphore: anyio.Semaphore | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, work: Callable[[Budget], T], seconds: float) -> T:
        if self._semaphore is None or self._limiter is None:
            self._semaphore = anyio.Semaphore(self.slots)
            self._limiter = anyio.CapacityLimiter(self.slots)
        slots, limiter = self._semaphore, self._limiter
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(self.patience if self.patience is not None else seconds):
                    await slots.acquire()
            except TimeoutError:
                raise BusyError(self.slots) from None
        ticket = _Ticket(slots, asyncio.get_running_loop())
        budget = Budget(seconds)

        def in_thread() -> T:
            ticket.started = True
            try:
                budget.check()
                return work(budget)
            finally:
                ticket.release_from_thread()

        try:
            with anyio.fail_after(seconds):
                return await anyio.to_thread.run_sync(
                    in_thread, abandon_on_cancel=True, limiter=limiter
                )
        except TimeoutError:
            budget.cancel()
            if not ticket.started:
                ticket.release_here()
            raise QueryTimeoutError(seconds) from None
        except BaseException:
            budget.cancel()
            if not ticket.started:
                ticket.release_here()
            raise
