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

from collections import OrderedDict
from collections.abc import Mapping
from threading import Lock
from typing import Any

import orjson

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

    def __init__(self, maxsize: int, max_body: int = 1 << 20) -> None:
        self.maxsize = maxsize
        self.max_body = max_body
        self.version: int | None = None
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[ResultKey, bytes] = OrderedDict()
        self._lock = Lock()

    @property
    def enabled(self) -> bool:
        return self.maxsize > 0

    def __len__(self) -> int:
        return len(self._entries)

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
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return body

    def put(self, key: ResultKey, version: int, body: bytes) -> None:
        """Keep ``body`` if it was computed from the current ``version`` and is not too big."""
        if not self.enabled or len(body) > self.max_body:
            return
        with self._lock:
            if version != self.version:
                return
            self._entries[key] = body
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
