"""The one bounded cache class: least recently used first out, bounded by entries and by bytes.

Every cache of the service is one of these: the GraphQL documents, persisted queries and results
(:mod:`graphsvc.api.server`), and the SPARQL answers (:mod:`graphsvc.web.cache`). What each
holds, and when it drops everything (a new version of the data), is the owner's business.

Thread-safe: a lookup reads without the lock and takes it only to mark the entry as used; a
change takes it. Example::

    >>> cache = LruCache[str, bytes](max_entries=2, weigh=lambda key, body: len(body))
    >>> cache.put("a", b"1"); cache.put("b", b"22"); _ = cache.get("a"); cache.put("c", b"3")
    >>> sorted(cache.keys()), cache.bytes
    (['a', 'c'], 2)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from threading import Lock
from typing import Generic, TypeVar

__all__ = ["LruCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _weightless(key: object, value: object) -> int:
    return 0


class LruCache(Generic[K, V]):
    """At most ``max_entries`` entries whose weights sum to at most ``max_bytes`` (``None``: no
    bound). ``weigh(key, value)`` is what an entry holds on to, in bytes."""

    __slots__ = ("_entries", "_lock", "bytes", "max_bytes", "max_entries", "weigh")

    def __init__(
        self,
        max_entries: int | None = None,
        max_bytes: int | None = None,
        weigh: Callable[[K, V], int] = _weightless,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.bytes = 0
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> Iterator[K]:
        return iter(list(self._entries))

    def get(self, key: K) -> V | None:
        """The value of ``key``, marked as the most recently used; ``None`` if absent."""
        value = self._entries.get(key)
        if value is not None:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` as the most recently used, then drop the least recently used entries
        until the bounds hold."""
        with self._lock:
            entries = self._entries
            previous = entries.pop(key, None)
            if previous is not None:
                self.bytes -= self.weigh(key, previous)
            entries[key] = value
            self.bytes += self.weigh(key, value)
            while entries and (
                (self.max_entries is not None and len(entries) > self.max_entries)
                or (self.max_bytes is not None and self.bytes > self.max_bytes)
            ):
                dropped, dropped_value = entries.popitem(last=False)
                self.bytes -= self.weigh(dropped, dropped_value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
