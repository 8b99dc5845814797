"""Run one SPARQL query within a time budget and a row cap, serialised natively by pyoxigraph.

The query runs in a worker thread (pyoxigraph releases the GIL while it evaluates). Results are
written by pyoxigraph's own serialiser into a sink that the time budget and the row cap watch,
so a capped or timed-out query stops working instead of running to the end.

SELECT results are first written straight in the requested format into a
:class:`_MarkCounter`, which counts marks that the serialiser writes at least once per row
(``},{`` between JSON rows, say): an answer with no more marks than the cap allows cannot hold
more rows than the cap, and it is the answer, in one pass. One that may hold more gives up there
and the query runs again into a counter of line ends, exact for TSV (one line per row) and for
N-Triples (graphs: one line per triple); other formats are produced from the capped TSV or
N-Triples by pyoxigraph's parser and serialiser, still without Python per row.

A query that spends its whole budget before producing a byte (a large aggregate, say) is
abandoned: the caller answers 503 on time and the thread ends when pyoxigraph returns. At most
``slots`` queries, abandoned ones included, run at once; a request waits for a free slot up to
``patience`` seconds (by default its own time budget), then gets 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, TypeVar, cast

import anyio
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
    count: int | None  # rows or triples in the body; None when not counted (ASK, short answers)
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


class _TooManyMarks(Exception):
    """Raised inside the serialiser to stop the evaluation: the cap is passed, or may be."""


# What pyoxigraph's compact serialisers write once per row, or more often: ``},{`` between two
# JSON rows (also possible inside a literal), ``<result>`` opening an XML row (``<`` is escaped in
# literals), a line end after each CSV line (quoted values may hold more). So the rows are at most
# ``count + extra`` where ``extra`` is 1 for JSON, 0 for XML and -1 for CSV's header line.
_ROW_MARKS = {
    QueryResultsFormat.JSON: (b"},{", 1),
    QueryResultsFormat.XML: (b"<result>", 0),
    QueryResultsFormat.CSV: (b"\n", -1),
}


class _MarkCounter:
    """A binary sink for pyoxigraph that counts ``mark`` and stops the serialiser, raising
    :class:`_TooManyMarks`, once more than ``allowed`` have come."""

    def __init__(self, budget: Budget, mark: bytes, allowed: int) -> None:
        self._budget = budget
        self._mark = mark
        self._allowed = allowed
        self._chunks: list[bytes] = []
        self._marks = 0
        self._tail = b""  # the end of the last chunk, for a mark cut in two
        self.exceeded = False

    def write(self, data: bytes) -> int:
        self._budget.check()
        chunk = bytes(data)
        seen = self._tail + chunk  # the tail is shorter than a mark: nothing counted twice
        self._marks += seen.count(self._mark)
        self._tail = seen[len(seen) - len(self._mark) + 1 :]
        self._chunks.append(chunk)
        if self._marks > self._allowed:
            self.exceeded = True
            raise _TooManyMarks
        return len(chunk)

    def flush(self) -> None:
        return None

    def value(self) -> bytes:
        """What was written; once exceeded, up to and including the last mark allowed (for
        line ends: the lines within the cap)."""
        body = b"".join(self._chunks)
        if not self.exceeded:
            return body
        end = -len(self._mark)
        for _ in range(self._allowed):
            end = body.index(self._mark, end + len(self._mark))
        return body[: end + len(self._mark)]


def _line_counter(budget: Budget, limit: int, header: int) -> _MarkCounter:
    """A sink that keeps at most ``header + limit`` lines."""
    return _MarkCounter(budget, b"\n", header + limit)


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
    answer = _evaluate(store, text, dataset, lambda r: _serialise(r, offer, max_rows, budget, True))
    if answer is None:  # a long answer: run again, counting rows
        answer = _evaluate(
            store, text, dataset, lambda r: _serialise(r, offer, max_rows, budget, False)
        )
    assert answer is not None
    return answer


def _evaluate(
    store: GraphStore,
    text: str,
    dataset: QueryDataset,
    serialise: Callable[[object], Answer | None],
) -> Answer | None:
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
    answer: Answer | None = None
    try:
        answer = serialise(result)
    except BaseException as exc:
        # the traceback holds the result, which pyoxigraph allows to be dropped only in this
        # thread: cut it, and drop the result here, before the error crosses to the event loop
        failure = exc.with_traceback(None)
    del result
    if failure is not None:
        raise failure
    return answer


def _serialise(
    result: object, offer: str, max_rows: int, budget: Budget, direct: bool
) -> Answer | None:
    """The answer, or ``None`` when ``direct`` and it may hold more than ``max_rows`` rows."""
    budget.check()
    if isinstance(result, QueryBoolean):
        fmt = RESULTS_FORMATS.get(offer, QueryResultsFormat.JSON)
        body = result.serialize(format=fmt) or b""
        return Answer(body, fmt.media_type, "boolean", None, False)

    if isinstance(result, QuerySolutions):
        fmt = RESULTS_FORMATS.get(offer, QueryResultsFormat.JSON)
        if direct and fmt in _ROW_MARKS:
            mark, extra = _ROW_MARKS[fmt]
            short = _MarkCounter(budget, mark, max_rows - extra)
            try:
                result.serialize(cast(IO[bytes], short), fmt)
            except _TooManyMarks:
                return None
            return Answer(short.value(), fmt.media_type, "solutions", None, False)
        tsv = _line_counter(budget, max_rows, header=1)
        with contextlib.suppress(_TooManyMarks):
            result.serialize(cast(IO[bytes], tsv), QueryResultsFormat.TSV)
        body = tsv.value()
        count = max(_lines(body) - 1, 0)
        if fmt != QueryResultsFormat.TSV:
            parsed = pyoxigraph.parse_query_results(body, QueryResultsFormat.TSV)
            assert isinstance(parsed, QuerySolutions)
            body = parsed.serialize(format=fmt) or b""
        return Answer(body, fmt.media_type, "solutions", count, tsv.exceeded)

    nt = _line_counter(budget, max_rows, header=0)
    with contextlib.suppress(_TooManyMarks):
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
    return Answer(body, rdf_format.media_type, "graph", count, nt.exceeded)


def _malformed(exc: SyntaxError) -> MalformedQueryError:
    message = str(exc.msg if exc.msg else exc)
    match = _SYNTAX.match(message)
    if match:
        return MalformedQueryError(match.group(3).strip(), int(match.group(1)), int(match.group(2)))
    return MalformedQueryError(message)


class _Workers:
    """Daemon threads that run blocking calls for the event loop.

    Cheaper per call than ``anyio.to_thread`` (no cancel scope, no capacity limiter: the
    runner's slots bound the work, one thread per slot), and daemon threads, so that a query
    abandoned after its time budget never holds up the process when it stops.
    """

    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        for number in range(count):
            threading.Thread(target=self._serve, name=f"sparql-{number}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._jobs.get()()

    def submit(self, work: Callable[[], T], finished: Callable[[], None]) -> asyncio.Future[T]:
        """Run ``work`` in a thread; ``finished`` then runs on the loop, whether or not anyone
        still awaits the future (a caller that gave up cancels it or settles it first)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(value: T | None, error: BaseException | None) -> None:
            finished()
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)  # type: ignore[arg-type]

        def job() -> None:
            value: T | None = None
            error: BaseException | None = None
            try:
                value = work()
            except BaseException as exc:  # handed to the awaiting coroutine
                error = exc
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                loop.call_soon_threadsafe(settle, value, error)

        self._jobs.put(job)
        return future


class QueryRunner:
    """Runs blocking query work in worker threads: bounded in number and in time.

    A request waits for a free slot in arrival order, up to ``patience`` seconds (by default the
    query's own time budget), then gets :class:`BusyError`. A slot is given back when its work
    ends, so abandoned queries still count until pyoxigraph returns.
    """

    def __init__(self, slots: int, patience: float | None = None) -> None:
        self.slots = max(1, slots)
        self.patience = patience
        self._semaphore: anyio.Semaphore | None = None
        self._workers: _Workers | None = None

    async def run(self, work: Callable[[Budget], T], seconds: float) -> T:
        if self._semaphore is None or self._workers is None:
            self._semaphore = anyio.Semaphore(self.slots)
            self._workers = _Workers(self.slots)
        slots = self._semaphore
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(self.patience if self.patience is not None else seconds):
                    await slots.acquire()
            except TimeoutError:
                raise BusyError(self.slots) from None
        budget = Budget(seconds)

        def in_thread() -> T:
            budget.check()
            return work(budget)

        future = self._workers.submit(in_thread, slots.release)

        def expire() -> None:
            budget.cancel()
            if not future.done():
                future.set_exception(QueryTimeoutError(seconds))

        timer = asyncio.get_running_loop().call_later(seconds, expire)
        try:
            return await future
        except BaseException:
            budget.cancel()  # stop the work at its next write: nobody will read it
            raise
        finally:
            timer.cancel()
