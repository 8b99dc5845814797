"""Answers of recent SPARQL queries, reused while the data has not changed.

A public endpoint sees the same queries again and again (an application's fixed queries, the
examples of a guide, a dashboard refreshing). An entry is a response as it was sent, filed for
the store's :attr:`~graphsvc.store.base.GraphStore.generation` under a key of everything that
shapes it (see :mod:`graphsvc.web.sparql`), so it is exact: a write changes the generation, and
the first lookup after it drops every entry. A store whose generation is ``None`` (remote,
possibly shared with other writers) is never cached, nor is a query that calls ``RAND``,
``NOW`` and the like (see :attr:`~graphsvc.web.query_check.QueryInspection.volatile`).

Bounded by the bytes of the bodies it holds (``GRAPHSVC_SPARQL_CACHE_BYTES``, 0 turns it off);
a response larger than an eighth of that is not kept. Used from the event loop only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

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
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._generation: int | None = None
        self.size = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def _follow(self, generation: int) -> None:
        if generation != self._generation:
            self._entries.clear()
            self.size = 0
            self._generation = generation

    def get(self, generation: int, key: Hashable) -> Rendered | None:
        self._follow(generation)
        response = self._entries.get(key)
        if response is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return response

    def put(self, generation: int, key: Hashable, response: Rendered) -> None:
        """Keep ``response``, computed from the data as of ``generation`` (read before it ran).

        Several keys may share one response; each counts its size (an upper bound)."""
        size = len(response.body)
        if not self.enabled or size > self.max_entry_bytes:
            return
        if self._generation is not None and generation < self._generation:
            return  # computed before a write that a lookup has already seen
        self._follow(generation)
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= len(previous.body)
        self._entries[key] = response
        self.size += size
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted.body)
