"""``run_query`` and the result cache, in process: exact row caps in every format, LRU bounds."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest

from graphsvc.store import OxigraphStore
from graphsvc.web.cache import Rendered, ResultCache
from graphsvc.web.execute import Budget, QueryDataset, run_query


@pytest.fixture(scope="module")
def empty_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    yield store
    store.close()


def rows_in(body: bytes, offer: str) -> int:
    if offer == "json":
        return len(json.loads(body)["results"]["bindings"])
    if offer == "xml":
        return len(re.findall(rb"<result>|<result/>", body))
    if offer == "csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1
    return len(body.decode().splitlines()) - 1  # tsv


TRICKY = ['"a},{b"', '"<result>"', '"two\\nlines"', '"},{\\"x\\":{"', '"x" ']


def values_query(rows: int, bound: bool | str) -> str:
    """``rows`` solutions: unbound ones are the shortest rows any format can write; "tricky"
    ones hold literals that look like the serialisers' row separators."""
    if bound == "tricky":
        values = " ".join(TRICKY[n % len(TRICKY)] for n in range(rows))
    else:
        values = " ".join(f'"{n}"' if bound else "UNDEF" for n in range(rows))
    return f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"


@pytest.mark.parametrize("offer", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("bound", [False, True, "tricky"], ids=["unbound", "bound", "tricky"])
@pytest.mark.parametrize("cap", [1, 7, 64, 1000])
def test_the_row_cap_is_exact_in_every_format(
    empty_store: OxigraphStore, offer: str, bound: bool | str, cap: int
) -> None:
    for rows in sorted({0, cap - 1, cap, cap + 1, 3 * cap}):
        answer = run_query(
            empty_store,
            values_query(rows, bound),
            QueryDataset(),
            offer,
            cap,
            Budget(10),
        )
        assert rows_in(answer.body, offer) == min(rows, cap), (rows, cap)
        assert answer.truncated is (rows > cap), (rows, cap)
        if answer.count is not None:
            assert answer.count == min(rows, cap)


def test_a_short_answer_is_written_once_and_a_long_one_counted(
    empty_store: OxigraphStore,
) -> None:
    short = run_query(
        empty_store, values_query(10, True), QueryDataset(), "json", 10_000, Budget(10)
    )
    long = run_query(
        empty_store, values_query(20_000, True), QueryDataset(), "json", 10_000, Budget(10)
    )
    exact = run_query(
        empty_store, values_query(10_000, True), QueryDataset(), "json", 10_000, Budget(10)
    )
    assert short.count is None and not short.truncated  # straight from the serialiser
    assert exact.count is None and not exact.truncated  # as many rows as the cap: still once
    assert long.count == 10_000 and long.truncated  # counted as TSV lines, then converted
    assert rows_in(long.body, "json") == 10_000


def entry(size: int) -> Rendered:
    return Rendered([(b"content-type", b"text/plain")], b"x" * size)


def test_the_cache_evicts_the_least_recently_used_within_its_bytes() -> None:
    cache = ResultCache(max_bytes=800)
    for key in "abcd":
        cache.put(1, key, entry(100))
    assert cache.get(1, "a") is not None  # a is now the most recent
    for key in "efgh":
        cache.put(1, key, entry(100))
    cache.put(1, "i", entry(100))  # 900 bytes: the oldest goes, which is b
    assert cache.get(1, "b") is None
    assert all(cache.get(1, key) is not None for key in "acdefghi")
    assert cache.size == 800 and len(cache) == 8


def test_the_cache_keeps_no_answer_over_an_eighth_of_its_size() -> None:
    cache = ResultCache(max_bytes=800)
    cache.put(1, "big", entry(101))
    cache.put(1, "fits", entry(100))
    assert cache.get(1, "big") is None and cache.get(1, "fits") is not None


def test_a_new_generation_drops_everything_and_old_answers_are_refused() -> None:
    cache = ResultCache(max_bytes=800)
    cache.put(1, "q", entry(10))
    assert cache.get(2, "q") is None and len(cache) == 0 and cache.size == 0
    cache.put(1, "q", entry(10))  # computed before the write that generation 2 stands for
    assert cache.get(2, "q") is None
    cache.put(3, "q", entry(10))  # computed after a write no lookup has seen yet
    assert cache.get(3, "q") is not None


def test_a_cache_of_zero_bytes_is_off() -> None:
    cache = ResultCache(max_bytes=0)
    cache.put(1, "q", entry(0))
    assert not cache.enabled and cache.get(1, "q") is None
