"""Answers of recent SPARQL queries, reused while the data has not changed.

A public endpoint sees the same queries again and again (an application's fixed queries, the
examples of a guide, a dashboard refreshing). An entry is a response as it was sent, filed for
the store's :attr:`~graphsvc.store.base.GraphStore.generation` under a key of everything that
shapes it (see :mod:`graphsvc.web.sparql`), so it is exact: a write changes the generation, and
the first lookup after it drops every entry. A store whose generation is ``None`` (remote,
possibly shared with other writers) is never cached, nor is a query that calls ``RAND``,
``NOW`` and the like (see :attr:`~graphsvc.web.query_check.QueryInspection.volatile`).

Bounded by the bytes of the bodies it holds (``GRAPHSVC_SPARQL_CACHE_BYTES``, 0 turns it off);
a response larger than an eighth of that is not kept. Used from the event loop only; the
entries are a :class:`graphsvc.http.cache.LruCache`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from graphsvc.http.cache import LruCache

__all__ = ["Rendered", "ResultCache"]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A successful response as sent: status 200, these headers (never mutated), this body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResultCache:
    """A least-recently-used map from request keys to responses, for one store generation."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8
        # several keys may share one response: each counts its size (an upper bound)
        self._entries = LruCache[Hashable, Rendered](
            max_bytes=max_bytes, weigh=lambda key, response: len(response.body)
        )
        self._generation: int | None = None
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        """Bytes of the bodies held."""
        return self._entries.bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _follow(self, generation: int) -> None:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation

    def get(self, generation: int, key: Hashable) -> Rendered | None:
        self._follow(generation)
        response = self._entries.get(key)
        if response is None:
            self.misses += 1
            return None
        self.hits += 1
        return response

    def put(self, generation: int, key: Hashable, response: Rendered) -> None:
        """Keep ``response``, computed from the data as of ``generation`` (read before it ran)."""
        if not self.enabled or len(response.body) > self.max_entry_bytes:
            return
        if self._generation is not None and generation < self._generation:
            return  # computed before a write that a lookup has already seen
        self._follow(generation)
        self._entries.put(key, response)
