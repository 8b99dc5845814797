"""Request ids, JSON access logs and request metrics: the outermost middleware.

Every request gets an id: the client's ``X-Request-ID`` when it is a sane token (1–128 of
``A–Z a–z 0–9 . _ : -``), else a fresh random one. The id is echoed in the response's
``X-Request-ID``, written in the access log line, and kept in ``scope["state"]["request_id"]``.

One JSON object per line goes to the ``graphsvc.access`` logger (standard error unless the
embedding application configures it)::

    {"time": "2026-12-03T12:00:00.123Z", "request_id": "…", "method": "POST", "path": "/graphql",
     "route": "/graphql", "status": 200, "duration_ms": 3.1, "bytes": 512, "client": "127.0.0.1",
     "operation": "Practices"}

Routes are labelled by their template (``/id/{path:path}``), never by the raw path, and GraphQL
operation names by the name a client gives (at most :data:`MAX_OPERATION_NAMES` distinct ones
per process, then ``other``), so that the metrics' label sets stay bounded.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.http import metrics

__all__ = [
    "MAX_OPERATION_NAMES",
    "REQUEST_ID_HEADER",
    "CacheCounters",
    "JsonLogFormatter",
    "Observe",
    "route_label",
]

REQUEST_ID_HEADER = "x-request-id"
MAX_OPERATION_NAMES = 200
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_OPERATION = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_MAX_PEEK = 64 * 1024  # bytes of a GraphQL body read for its operation name

log = logging.getLogger("graphsvc.access")

# Routes that do not go through Starlette's router (served before it) or that the router
# reports as a mount: the first path segment names them.
_PREFIXES = (
    ("/graphql", "/graphql"),
    ("/sparql", "/sparql"),
    ("/export/", "/export/{format}"),
    ("/id/", "/id/{path}"),
    ("/graph/", "/graph/{name}"),
    ("/feeds/", "/feeds/{path}"),
    ("/ontology", "/ontology"),
    ("/dataset", "/dataset"),
    ("/.well-known/", "/.well-known/{name}"),
    ("/assets/", "/assets/{path}"),
    ("/static/", "/static/{path}"),
)


class CacheCounters(Protocol):
    """A cache that counts its hits and misses (the GraphQL and SPARQL result caches)."""

    hits: int
    misses: int


def route_label(scope: Scope) -> str:
    """The route template that answered ``scope`` (bounded, unlike the path)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    path: str = scope.get("path", "")
    if path in ("/", "/healthz", "/readyz", "/metrics", "/context.jsonld"):
        return path
    for prefix, label in _PREFIXES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return label
    return "other"


def _outcome(status: int) -> str:
    if status < 300:
        return "ok"
    if status == 304:
        return "not_modified"
    if status == 429:
        return "refused_busy"
    if status in (408, 413, 414, 431):
        return "refused_limit"
    if status < 500:
        return "bad_request"
    if status in (503, 504):
        return "timeout_or_busy"
    return "error"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and _SANE_ID.fullmatch(value.strip()):
            return str(value.strip().decode("ascii"))
    return secrets.token_hex(16)


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class JsonLogFormatter(logging.Formatter):
    """A log record as one JSON object: its message fields plus time and level."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        return json.dumps(
            {"time": stamp.replace("+00:00", "Z"), "level": record.levelname.lower(), **fields},
            ensure_ascii=False,
            separators=(",", ":"),
        )


def _configure_log() -> None:
    """Log lines to standard error as JSON unless the application configured the logger; a
    handler it added without a level still receives the lines (info)."""
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class _Operations:
    """The GraphQL operation names seen so far, at most :data:`MAX_OPERATION_NAMES`."""

    def __init__(self) -> None:
        self.known: set[str] = set()

    def label(self, name: object) -> str:
        if not isinstance(name, str) or not name:
            return "(anonymous)"
        if not _OPERATION.fullmatch(name):
            return "other"
        if name not in self.known:
            if len(self.known) >= MAX_OPERATION_NAMES:
                return "other"
            self.known.add(name)
        return name


def _operation_from_body(body: bytes) -> object:
    if not body or len(body) >= _MAX_PEEK:
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload.get("operationName") if isinstance(payload, dict) else None


def _operation_from_query(query_string: bytes) -> object:
    values = parse_qs(query_string.decode("latin-1")).get("operationName")
    return values[0] if values else None


class Observe:
    """ASGI middleware: request id, access log, request metrics, cache counters.

    ``caches(scope)`` returns the caches to report (looked up at each request: some are created
    on first use); ``on_request_end(scope)`` runs after each response (the feed revision, say).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        access_log: bool = True,
        caches: Callable[[Scope], Iterable[tuple[str, CacheCounters]]] | None = None,
        on_request_end: Callable[[Scope], None] | None = None,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.caches = caches
        self.on_request_end = on_request_end
        self.operations = _Operations()
        self._seen: dict[str, tuple[int, int]] = {}  # cache -> (hits, misses) already counted
        if access_log:
            _configure_log()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        graphql = scope["path"] == "/graphql"
        peeked: list[bytes] = []
        peeked_size = 0
        status = 500
        sent = 0

        async def peek(message_source: Receive = receive) -> Message:
            nonlocal peeked_size
            message = await message_source()
            if message["type"] == "http.request" and peeked_size < _MAX_PEEK:
                chunk = message.get("body", b"")
                peeked.append(chunk)
                peeked_size += len(chunk)
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        in_progress = metrics.IN_PROGRESS.labels(route_label(scope))
        in_progress.inc()
        try:
            await self.app(scope, peek if graphql else receive, send_with_id)
        finally:
            in_progress.dec()
            route = route_label(scope)
            elapsed = time.perf_counter() - started
            self._record(scope, route, status, elapsed, graphql, peeked)
            if self.access_log:
                self._log(scope, request_id, route, status, elapsed, sent, graphql, peeked)

    def _operation(self, scope: Scope, peeked: list[bytes]) -> str:
        if scope["method"] == "GET":
            return self.operations.label(_operation_from_query(scope.get("query_string", b"")))
        return self.operations.label(_operation_from_body(b"".join(peeked)))

    def _record(
        self,
        scope: Scope,
        route: str,
        status: int,
        elapsed: float,
        graphql: bool,
        peeked: list[bytes],
    ) -> None:
        metrics.REQUESTS.labels(route, scope["method"], str(status)).inc()
        metrics.REQUEST_DURATION.labels(route).observe(elapsed)
        if graphql and scope["method"] in ("GET", "POST"):
            operation = self._operation(scope, peeked)
            metrics.GRAPHQL_OPERATIONS.labels(operation, str(status)).inc()
            metrics.GRAPHQL_DURATION.labels(operation).observe(elapsed)
        if route == "/sparql" and scope["method"] in ("GET", "POST"):
            metrics.SPARQL_QUERIES.labels(_outcome(status)).inc()
        if self.caches is not None:
            self._count_caches(scope)
        if self.on_request_end is not None:
            self.on_request_end(scope)

    def _count_caches(self, scope: Scope) -> None:
        assert self.caches is not None
        for name, cache in self.caches(scope):
            hits, misses = cache.hits, cache.misses
            seen_hits, seen_misses = self._seen.get(name, (0, 0))
            if hits > seen_hits:
                metrics.CACHE_LOOKUPS.labels(name, "hit").inc(hits - seen_hits)
            if misses > seen_misses:
                metrics.CACHE_LOOKUPS.labels(name, "miss").inc(misses - seen_misses)
            self._seen[name] = (hits, misses)

    def _log(
        self,
        scope: Scope,
        request_id: str,
        route: str,
        status: int,
        elapsed: float,
        sent: int,
        graphql: bool,
        peeked: list[bytes],
    ) -> None:
        entry: dict[str, Any] = {
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 3),
            "bytes": sent,
            "client": _client(scope),
        }
        if graphql:
            entry["operation"] = self._operation(scope, peeked)
        log.info(entry)
