"""Automatic persisted queries (the Apollo APQ protocol).

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`` without the
query text. If the server knows the hash it runs the query; otherwise it answers
``PersistedQueryNotFound`` and the client sends the hash together with the text, which the server
checks and remembers. Short hash-only requests fit in a GET URL, so CDNs can cache them.

The texts are kept in a bounded in-memory LRU per worker: a worker that has not seen a hash
answers ``PersistedQueryNotFound`` and the client re-registers, which the protocol expects.

Documents known in advance (the discovery app's operations, from its build) are *trusted*: held
outside the LRU for the life of the process, so even a first visit to a fresh worker is answered
from the hash alone, without the round trip that registers the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from graphsvc.errors import InputError
from graphsvc.http.cache import LruCache

__all__ = ["PersistedQueries", "PersistedQueryError"]


class PersistedQueryError(InputError):
    """An APQ request the server cannot serve; ``code`` goes into ``extensions.code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class PersistedQueries:
    def __init__(self, maxsize: int = 10_000, max_text: int = 65_536) -> None:
        self.maxsize = maxsize
        self.max_text = max_text  # a longer text runs but is not remembered
        self._texts = LruCache[str, str](maxsize)
        self._trusted: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def trust(self, documents: Mapping[str, str]) -> list[str]:
        """Hold ``documents`` (``{sha256 hex: text}``) for good; returns the hashes refused.

        A hash may carry the ``sha256:`` prefix that GraphQL Code Generator writes. A text whose
        SHA-256 is not its hash is refused, so a trusted hash always means its own text.
        """
        refused = []
        for key, text in documents.items():
            digest = key.removeprefix("sha256:").lower()
            if hashlib.sha256(text.encode()).hexdigest() == digest:
                self._trusted[digest] = text
            else:
                refused.append(key)
        return refused

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The query text of a request, registering or looking up a persisted query.

        Returns ``query`` unchanged when the request does not use APQ. Raises
        :class:`PersistedQueryError` for an unknown hash, a hash that does not match the text
        or an unsupported protocol version.
        """
        persisted = extensions.get("persistedQuery") if extensions else None
        if persisted is None:
            return query
        if not isinstance(persisted, Mapping):
            raise PersistedQueryError("extensions.persistedQuery must be an object.", "BAD_REQUEST")
        if persisted.get("version") != 1:
            raise PersistedQueryError(
                "Unsupported persisted query version: only version 1 is known.",
                "PERSISTED_QUERY_NOT_SUPPORTED",
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise PersistedQueryError(
                "extensions.persistedQuery.sha256Hash must be a hex SHA-256 digest.",
                "BAD_REQUEST",
            )
        digest = digest.lower()
        if query is None:
            text = self._trusted.get(digest) or self._texts.get(digest)
            if text is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            return text
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError(
                "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH"
            )
        if len(query) > self.max_text:
            return query
        self._texts.put(digest, query)
        return query
