"""Attack: a query that nests deeper than the engine's stack (SIGSEGV inside pyoxigraph).

5,000 nested parentheses used to end the service. Every kind of nesting is now bounded before the
text reaches the engine: brackets by ``GRAPHSVC_SPARQL_MAX_NESTING``, chains (operators, paths,
unions, patterns, lists), which the engine folds into trees as deep as they are long, by
``GRAPHSVC_SPARQL_MAX_TOKENS``. A query within both limits runs in a worker whose query thread has
a stack far deeper than the limits need; and a worker that crashes all the same costs one worker
(test_sparql_engine_crash.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest
from support import RunningApp, run_app

from graphsvc.settings import Settings
from graphsvc.web.query_check import DEFAULT_MAX_DEPTH, DEFAULT_MAX_TOKENS, inspect_query
from graphsvc.web.sparql import MAX_QUERY_BYTES

from .sparql_shapes import BRACKETED, CHAINED, deep
from .wire import assert_healthy

JSON = {"Accept": "application/sparql-results+json"}


# Chains the engine works on for minutes (it orders the joins of a long group of patterns, or
# joins the ontology's triples through a long chain of OPTIONAL or MINUS): their deep phases
# (parsing, the algebra, the plan, the first solution: where a short stack overflows) are over
# within a fifth of a second, so a service with a one-second deadline shows they do not crash
# and cuts the rest. Every other chain runs to its end on a service with the default deadline,
# for some are deepest at the end (a long sum is evaluated recursively after 0.6 s of CPU).
ENDLESS = frozenset(
    {"MINUSes", "OPTIONALs", "object lists", "path sequences", "predicate lists", "triple patterns"}
)
assert CHAINED.keys() >= ENDLESS


@contextlib.contextmanager
def _service(
    tmp_path_factory: pytest.TempPathFactory, sparql_timeout: float
) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("nesting"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),
        sparql_timeout=sparql_timeout,
    )
    with run_app(settings) as app:
        yield app


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with _service(tmp_path_factory, 10.0) as app:
        yield app


@pytest.fixture(scope="module")
def hurried_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """For the :data:`ENDLESS` chains: a deadline long past their deep phases, and no longer."""
    with _service(tmp_path_factory, 1.0) as app:
        yield app


def _post(app: RunningApp, query: str) -> httpx.Response:
    with app.client() as client:
        return client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", **JSON},
        )


@pytest.mark.parametrize("kind", sorted(BRACKETED))
def test_brackets_past_the_limit_are_refused(service: RunningApp, kind: str) -> None:
    for depth in _within_body_limit(kind, (DEFAULT_MAX_DEPTH + 1, 5_000, 60_000)):
        response = _post(service, deep(kind, depth))
        assert response.status_code == 400, (kind, depth, response.text)
        assert "GRAPHSVC_SPARQL_MAX_NESTING" in response.text or (
            "GRAPHSVC_SPARQL_MAX_TOKENS" in response.text
        )
    assert_healthy(service)


@pytest.mark.parametrize("kind", sorted(BRACKETED))
def test_brackets_at_the_limit_are_answered(service: RunningApp, kind: str) -> None:
    # a subquery or EXISTS level also opens braces: the deepest admitted count differs by kind
    depth = max(n for n in range(1, DEFAULT_MAX_DEPTH + 1) if _admitted(deep(kind, n)))
    assert depth >= DEFAULT_MAX_DEPTH // 2
    response = _post(service, deep(kind, depth))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:  # the engine's own grammar may refuse the shape
        assert "GRAPHSVC" not in response.text
    assert_healthy(service)


@pytest.mark.parametrize("kind", sorted(CHAINED))
def test_chains_past_the_limit_are_refused(service: RunningApp, kind: str) -> None:
    for length in _within_body_limit(kind, (DEFAULT_MAX_TOKENS, 30_000)):
        response = _post(service, deep(kind, length))
        assert response.status_code == 400, (kind, length, response.text[:200])
        assert "GRAPHSVC_SPARQL_MAX_TOKENS" in response.text
    assert_healthy(service)


@pytest.mark.parametrize("kind", sorted(CHAINED))
def test_the_longest_admitted_chain_does_not_crash(
    request: pytest.FixtureRequest, kind: str
) -> None:
    service: RunningApp = request.getfixturevalue(
        "hurried_service" if kind in ENDLESS else "service"
    )
    low = _longest_admitted(kind)
    response = _post(service, deep(kind, low))
    # answered, or stopped at its deadline: never a crash (500) or a dead service
    assert response.status_code in (200, 503), (kind, low, response.status_code, response.text)
    assert_healthy(service)


def _within_body_limit(kind: str, sizes: tuple[int, ...]) -> list[int]:
    """The sizes whose query fits in a request body (larger ones get 413 before any lexing)."""
    fitting = [n for n in sizes if len(deep(kind, n).encode()) <= MAX_QUERY_BYTES]
    assert fitting
    return fitting


def _longest_admitted(kind: str) -> int:
    """The length ``n`` of the longest chain of ``kind`` within the limits: ``n`` is admitted
    and ``n + 1`` is not.

    Each item of a chain adds the same number of tokens, so the exact sizes of two short chains
    give the length that fills the token limit; the boundary is then checked on both sides (a
    binary search if it does not hold), which lexes two texts at the limit instead of fourteen.
    """
    one, two = (inspect_query(deep(kind, n), 0, DEFAULT_MAX_TOKENS).size for n in (1, 2))
    guess = 1 + (DEFAULT_MAX_TOKENS - one) // (two - one)
    if _admitted(deep(kind, guess)) and not _admitted(deep(kind, guess + 1)):
        return guess
    low, high = 1, DEFAULT_MAX_TOKENS
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _admitted(deep(kind, middle)) else (low, middle - 1)
    return low


def _admitted(query: str) -> bool:
    inspection = inspect_query(query)
    return inspection.size <= DEFAULT_MAX_TOKENS and inspection.depth <= DEFAULT_MAX_DEPTH


def test_lexing_stops_at_the_token_limit() -> None:
    # a 1 MiB text is measured only as far as the limit: the work does not grow with the text
    text = "ASK { FILTER(" + "!" * (1 << 20) + "true) }"
    assert inspect_query(text, 64, 1_000).size == 1_001
    assert inspect_query(text, 64, 10).size == 11
