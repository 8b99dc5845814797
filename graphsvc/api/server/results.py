"""A cache of encoded query results, valid for one version of the read model.

Front ends ask the same questions again and again (the same practice page, the first page of a
filter), and every answer of a query is a function of the read model, the request and who asks.
:class:`ResultCache` keeps the encoded ``{"data": …}`` body of successful queries keyed on
``(query text, operation name, variables, token id)`` and drops every entry as soon as the read
model's ``version`` moves, which happens after each committed write. Mutations, results with
errors and bodies over ``max_body`` bytes are never cached.

The key holds the token id rather than the role, because ``viewer`` answers per token. A key
without a token is shared by every anonymous client. Each worker process has its own cache;
``settings.result_cache_size`` sets the number of entries (0 turns the cache off).
"""

from __future__ import annotations

from collections.abc import Mapping
from threading import Lock
from typing import Any

import orjson

from graphsvc.http.cache import LruCache

__all__ = ["ResultCache", "ResultKey", "result_key"]

ResultKey = tuple[str, str | None, bytes, str | None]


def result_key(
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    token_id: str | None,
) -> ResultKey:
    """The cache key of a request; variables compare by value, whatever their key order."""
    encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
    return (query, operation_name, encoded, token_id)


class ResultCache:
    """An LRU of encoded result bodies for one read-model version."""

    def __init__(
        self,
        maxsize: int,
        max_body: int = 1 << 20,
        max_bytes: int = 64 << 20,
        max_key: int = 65_536,
    ) -> None:
        self.maxsize = maxsize
        self.max_body = max_body
        self.max_bytes = max_bytes  # bodies and keys together
        self.max_key = max_key  # a longer query text (or variables) is never a key
        self.version: int | None = None
        self.hits = 0
        self.misses = 0
        self._entries = LruCache[ResultKey, bytes](maxsize, max_bytes, _size)
        self._lock = Lock()  # a version change and a put do not interleave

    @property
    def enabled(self) -> bool:
        return self.maxsize > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes held: bodies, query texts and variables."""
        return self._entries.bytes

    def get(self, key: ResultKey, version: int) -> bytes | None:
        if version != self.version:
            with self._lock:
                if version != self.version:
                    self._entries.clear()
                    self.version = version
            self.misses += 1
            return None
        body = self._entries.get(key)
        if body is None:
            self.misses += 1
            return None
        self.hits += 1
        return body

    def put(self, key: ResultKey, version: int, body: bytes) -> None:
        """Keep ``body`` if it was computed from the current ``version`` and is not too big."""
        if not self.enabled or len(body) > self.max_body:
            return
        if len(key[0]) > self.max_key or len(key[2]) > self.max_key:
            return
        with self._lock:
            if version == self.version:
                self._entries.put(key, body)


def _size(key: ResultKey, body: bytes) -> int:
    """What an entry holds on to, roughly: its body, query text and variables."""
    return len(body) + len(key[0]) + len(key[2])
