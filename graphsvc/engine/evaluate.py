"""Evaluate one SPARQL query within a time budget and a row cap, serialised natively by pyoxigraph.

Results are written by pyoxigraph's own serialiser into a sink that the time budget and the row
cap watch, so a capped query stops working instead of running to the end.

SELECT results are first written straight in the requested format into a
:class:`_MarkCounter`, which counts marks that the serialiser writes at least once per row
(``},{`` between JSON rows, say): an answer with no more marks than the cap allows cannot hold
more rows than the cap, and it is the answer, in one pass. One that may hold more gives up there
and the query runs again into a counter of line ends, exact for TSV (one line per row) and for
N-Triples (graphs: one line per triple); other formats are produced from the capped TSV or
N-Triples by pyoxigraph's parser and serialiser, still without Python per row.

The budget is only checked when the serialiser writes: a query that computes for long before its
first byte is stopped from outside (:mod:`graphsvc.engine.pool` kills its worker process).
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
)

__all__ = [
    "Answer",
    "Budget",
    "BudgetExceeded",
    "QueryDataset",
    "QuerySyntaxError",
    "Querying",
    "evaluate",
    "fitting_answer",
    "syntax_error",
    "used_prefixes",
]

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


class BudgetExceeded(Exception):
    """The query spent its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran longer than {seconds:g} s")
        self.seconds = seconds


class QuerySyntaxError(Exception):
    """The engine's parser refused the query; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


def syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's ``SyntaxError`` as a :class:`QuerySyntaxError` with its position."""
    message = str(exc.msg if exc.msg else exc)
    match = _SYNTAX.match(message)
    if match:
        return QuerySyntaxError(match.group(3).strip(), int(match.group(1)), int(match.group(2)))
    return QuerySyntaxError(message)


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
            raise BudgetExceeded(self.seconds)


# Runs the query text against the dataset and returns pyoxigraph's result (QuerySolutions,
# QueryBoolean, QueryTriples or an iterator of triples); raises SyntaxError for a bad text.
Querying = Callable[[str, QueryDataset], object]


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


def used_prefixes(body: bytes, prefixes: Mapping[str, str]) -> dict[str, str]:
    """The subset of ``prefixes`` whose namespace occurs in N-Triples ``body``."""
    return {p: ns for p, ns in prefixes.items() if b"<" + ns.encode() in body}


def _lines(body: bytes) -> int:
    return body.count(b"\n")


@functools.cache
def _results_format(media_type: str) -> QueryResultsFormat:
    return QueryResultsFormat.from_media_type(media_type) or QueryResultsFormat.JSON


@functools.cache
def _rdf_format(media_type: str) -> RdfFormat:
    return RdfFormat.from_media_type(media_type) or RdfFormat.TURTLE


@dataclass(frozen=True, slots=True)
class _Output:
    results: QueryResultsFormat  # for SELECT and ASK
    graph: RdfFormat  # for CONSTRUCT and DESCRIBE
    prefixes: Mapping[str, str]  # offered to graph serialisers
    max_rows: int


def evaluate(
    querying: Querying,
    text: str,
    dataset: QueryDataset,
    media_types: tuple[str, str],
    max_rows: int,
    budget: Budget,
    prefixes: Mapping[str, str],
) -> Answer:
    """Evaluate ``text`` and serialise it: SELECT and ASK as ``media_types[0]``, CONSTRUCT and
    DESCRIBE as ``media_types[1]``, with at most ``max_rows`` rows or triples. Blocking.

    Raises :class:`QuerySyntaxError` and :class:`BudgetExceeded`; other errors of ``querying``
    pass through.
    """
    output = _Output(
        _results_format(media_types[0]), _rdf_format(media_types[1]), prefixes, max_rows
    )
    answer = _run(querying, text, dataset, lambda r: _serialise(r, output, budget, True))
    if answer is None:  # a long answer: run again, counting rows
        answer = _run(querying, text, dataset, lambda r: _serialise(r, output, budget, False))
    assert answer is not None
    return answer


def fitting_answer(body: bytes, media_type: str, form: str, max_rows: int) -> Answer | None:
    """``body``, a SELECT's or ASK's results serialised by Oxigraph as ``media_type``, as the
    answer, or ``None`` when it may hold more than ``max_rows`` rows (or its rows cannot be
    counted in that format): then :func:`evaluate` truncates it."""
    if form == "ASK":
        return Answer(body, media_type, "boolean", None, False)
    fmt = _results_format(media_type)
    if fmt.media_type != media_type:
        return None
    if fmt == QueryResultsFormat.TSV:
        count = max(_lines(body) - 1, 0)
        return Answer(body, media_type, "solutions", count, False) if count <= max_rows else None
    if fmt not in _ROW_MARKS:
        return None
    mark, extra = _ROW_MARKS[fmt]
    if body.count(mark) > max_rows - extra:
        return None
    return Answer(body, media_type, "solutions", None, False)


def _run(
    querying: Querying,
    text: str,
    dataset: QueryDataset,
    serialise: Callable[[object], Answer | None],
) -> Answer | None:
    try:
        result = querying(text, dataset)
    except SyntaxError as exc:
        raise syntax_error(exc) from None
    failure: BaseException | None = None
    answer: Answer | None = None
    try:
        answer = serialise(result)
    except BaseException as exc:
        # the traceback holds the result, which pyoxigraph allows to be dropped only in this
        # thread: cut it, and drop the result here, before the error crosses to another thread
        failure = exc.with_traceback(None)
    del result
    if failure is not None:
        raise failure
    return answer


def _serialise(result: object, output: _Output, budget: Budget, direct: bool) -> Answer | None:
    """The answer, or ``None`` when ``direct`` and it may hold more than ``max_rows`` rows."""
    budget.check()
    max_rows = output.max_rows
    if isinstance(result, QueryBoolean):
        fmt = output.results
        body = result.serialize(format=fmt) or b""
        return Answer(body, fmt.media_type, "boolean", None, False)

    if isinstance(result, QuerySolutions):
        fmt = output.results
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
    rdf_format = output.graph
    if rdf_format != RdfFormat.N_TRIPLES:
        triples = pyoxigraph.parse(body, RdfFormat.N_TRIPLES)
        body = (
            pyoxigraph.serialize(
                triples, format=rdf_format, prefixes=used_prefixes(body, output.prefixes)
            )
            or b""
        )
    return Answer(body, rdf_format.media_type, "graph", count, nt.exceeded)
