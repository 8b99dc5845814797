"""The shared HTTP tools: the LRU cache class and the Accept / Accept-Encoding parser."""

from __future__ import annotations

from graphsvc.http.cache import LruCache
from graphsvc.http.negotiation import accepts_coding, parse_accept


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = LruCache[str, int](max_entries=3)
    for key in "abc":
        cache.put(key, ord(key))
    assert cache.get("a") == ord("a")  # a is now the most recently used
    cache.put("d", 4)
    assert sorted(cache.keys()) == ["a", "c", "d"]
    assert cache.get("b") is None


def test_the_byte_bound_counts_keys_and_values_and_replacing_an_entry() -> None:
    cache = LruCache[str, bytes](max_bytes=10, weigh=lambda key, value: len(key) + len(value))
    cache.put("a", b"1234")  # 5
    cache.put("b", b"1234")  # 10
    assert cache.bytes == 10 and len(cache) == 2
    cache.put("a", b"12")  # replaced: 3 + 5
    assert cache.bytes == 8
    cache.put("c", b"12345")  # 14 > 10: b goes (least recently used), then 9
    assert sorted(cache.keys()) == ["a", "c"] and cache.bytes == 9
    cache.clear()
    assert len(cache) == 0 and cache.bytes == 0


def test_accept_is_parsed_best_first_with_q_clamped() -> None:
    ranges = parse_accept("text/*;q=0.5, application/json;q=2, */*;q=0.5, bogus, text/csv;q=x")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("application", "json", 1.0),
        ("text", "*", 0.5),
        ("*", "*", 0.5),
        ("text", "csv", 0.0),
    ]


def test_accept_encoding_is_decided_by_the_first_element_naming_the_coding() -> None:
    assert accepts_coding("br, gzip;q=0.5", "gzip")
    assert not accepts_coding("gzip;q=0, *", "gzip")
    assert accepts_coding("*", "gzip")
    assert not accepts_coding(None, "gzip")
    assert not accepts_coding("br", "gzip")
