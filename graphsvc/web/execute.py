"""Run SPARQL queries in threads of this process: bounded in number, within a time budget.

This is the path for stores that live elsewhere (a remote SPARQL server, whose own process
does the work). Queries on the embedded store run in worker processes instead
(:mod:`graphsvc.engine.pool`), where a deadline can stop them. :func:`run_query` evaluates one
query (:mod:`graphsvc.engine.evaluate`) and speaks in the web interface's errors.

A query that spends its whole budget before producing a byte is abandoned here: the caller
answers 503 on time and the thread ends when the store returns. At most ``slots`` queries,
abandoned ones included, run at once; a request waits for a free slot up to ``patience``
seconds (by default its own time budget), then gets 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

import anyio
from pyoxigraph import QueryResultsFormat, RdfFormat

from graphsvc.engine.evaluate import (
    Answer,
    Budget,
    BudgetExceeded,
    QueryDataset,
    QuerySyntaxError,
    evaluate,
    fitting_answer,
    syntax_error,
)
from graphsvc.engine.evaluate import used_prefixes as _used_prefixes
from graphsvc.errors import RemoteStoreError
from graphsvc.store.base import GraphStore
from graphsvc.store.remote import RemoteSparqlStore
from graphsvc.store.sparql_lexer import query_form
from graphsvc.vocab import PREFIXES
from graphsvc.web.errors import BusyError, MalformedQueryError, QueryTimeoutError
from graphsvc.web.formats import RDF_FORMATS, RESULTS_FORMATS

__all__ = [
    "Answer",
    "Budget",
    "QueryDataset",
    "QueryRunner",
    "media_types",
    "run_query",
    "used_prefixes",
]

T = TypeVar("T")


def used_prefixes(body: bytes, prefixes: Mapping[str, str] = PREFIXES) -> dict[str, str]:
    """The subset of ``prefixes`` whose namespace occurs in N-Triples ``body``."""
    return _used_prefixes(body, prefixes)


def media_types(offer: str) -> tuple[str, str]:
    """The results and graph media types that the offer ``offer`` (a name from ``formats``)
    stands for; the defaults, JSON and Turtle, for the other kind of query."""
    results = RESULTS_FORMATS.get(offer, QueryResultsFormat.JSON)
    graph = RDF_FORMATS.get(offer, RdfFormat.TURTLE)
    return results.media_type, graph.media_type


def run_query(
    store: GraphStore,
    text: str,
    dataset: QueryDataset,
    offer: str,
    max_rows: int,
    budget: Budget,
) -> Answer:
    """Evaluate ``text`` on ``store`` and serialise it as ``offer``. Blocking."""

    def querying(query: str, on: QueryDataset) -> object:
        try:
            return store.query(
                query,
                default_graph=list(on.default_graphs) if on.default_graphs is not None else None,
                named_graphs=list(on.named_graphs) if on.named_graphs is not None else None,
                union_default_graph=on.union_default_graph,
            )
        except RemoteStoreError as exc:
            if exc.status == 400:
                raise MalformedQueryError(str(exc)) from None
            raise

    if isinstance(store, RemoteSparqlStore) and (form := query_form(text)) in ("SELECT", "ASK"):
        answer = _passed_on(store, text, dataset, form, media_types(offer)[0], max_rows, budget)
        if answer is not None:
            return answer
    try:
        return evaluate(querying, text, dataset, media_types(offer), max_rows, budget, PREFIXES)
    except QuerySyntaxError as exc:
        raise MalformedQueryError(exc.reason, exc.line, exc.column) from None
    except BudgetExceeded as exc:
        raise QueryTimeoutError(exc.seconds) from None


def _passed_on(
    store: RemoteSparqlStore,
    text: str,
    dataset: QueryDataset,
    form: str,
    media_type: str,
    max_rows: int,
    budget: Budget,
) -> Answer | None:
    """The Oxigraph server's own bytes for a SELECT or ASK, passed on unparsed when they fit in
    ``max_rows`` (None otherwise, and from Virtuoso): parsing the answer and writing it again
    would double the work of a short query (docs/scaling.md)."""
    budget.check()
    try:
        body = store.answer(
            text,
            media_type,
            default_graph=list(dataset.default_graphs)
            if dataset.default_graphs is not None
            else None,
            named_graphs=list(dataset.named_graphs) if dataset.named_graphs is not None else None,
            union_default_graph=dataset.union_default_graph,
        )
    except SyntaxError as exc:
        error = syntax_error(exc)
        raise MalformedQueryError(error.reason, error.line, error.column) from None
    except RemoteStoreError as exc:
        if exc.status == 400:
            raise MalformedQueryError(str(exc)) from None
        raise
    return None if body is None else fitting_answer(body, media_type, form, max_rows)


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
