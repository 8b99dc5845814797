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
per process, then ``other``), so that the metrics' label sets stay bounded. The GraphQL endpoint
leaves the ``operationName`` it read in ``scope["state"]`` (:func:`note_operation`): the body is
parsed once, by the endpoint. A request refused before it got there is ``(anonymous)``, or over
``GET`` the name in its URL.

The middleware runs around every request, a cached answer's too, so its per-request work is
kept to what cannot be done once: the metrics' labelled children are looked up once per label
set (:class:`_Children`), not through ``labels(…)`` each time.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qs

from prometheus_client.metrics import MetricWrapperBase
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.http import metrics

__all__ = [
    "MAX_OPERATION_NAMES",
    "OPERATION_KEY",
    "REQUEST_ID_HEADER",
    "CacheCounters",
    "JsonLogFormatter",
    "Observe",
    "note_operation",
    "route_label",
]

REQUEST_ID_HEADER = "x-request-id"
MAX_OPERATION_NAMES = 200
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_OPERATION = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_ID_HEADER = REQUEST_ID_HEADER.encode("ascii")
OPERATION_KEY = "graphql_operation"
"""The ``scope["state"]`` entry where the GraphQL endpoint leaves the ``operationName`` it read."""
_UNSET = object()
_MAX_CHILDREN = 4096  # labelled children kept per metric (see _Children)

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


def _path_label(path: str) -> str:
    if path in ("/", "/healthz", "/readyz", "/metrics", "/context.jsonld"):
        return path
    for prefix, label in _PREFIXES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            return label
    return "other"


# the labels of the exact paths served most, worked out once
_EXACT = {p: _path_label(p) for p in ("/graphql", "/sparql", "/", "/healthz", "/ontology")}


def route_label(scope: Scope) -> str:
    """The route template that answered ``scope`` (bounded, unlike the path)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    path: str = scope.get("path", "")
    return _EXACT.get(path) or _path_label(path)


def note_operation(scope: Scope, name: object) -> None:
    """For the GraphQL endpoint: the ``operationName`` of the request (any JSON value, as sent),
    for the metrics and the access log."""
    scope.setdefault("state", {})[OPERATION_KEY] = name


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


class _RandomIds(threading.local):
    """Fresh request ids: 16 random bytes in hex, as ``secrets.token_hex(16)`` makes them, but
    with one ``os.urandom`` system call for 64 ids. Each thread draws from its own bytes; a
    forked child from none of its parent's."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.pool = b""
        self.at = 0

    def next(self) -> str:
        at = self.at
        if at >= len(self.pool):
            self.pool, at = os.urandom(64 * 16), 0
        self.at = at + 16
        return self.pool[at : at + 16].hex()


_IDS = _RandomIds()
os.register_at_fork(after_in_child=_IDS.forget)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _ID_HEADER and _SANE_ID.fullmatch(value.strip()):
            return str(value.strip().decode("ascii"))
    return _IDS.next()


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
        if name in self.known:
            return name
        if not _OPERATION.fullmatch(name) or len(self.known) >= MAX_OPERATION_NAMES:
            return "other"
        self.known.add(name)
        return name


def _operation_from_query(query_string: bytes) -> object:
    values = parse_qs(query_string.decode("latin-1")).get("operationName")
    return values[0] if values else None


M = TypeVar("M", bound=MetricWrapperBase)


class _Children(Generic[M]):
    """The children of a labelled metric by their label values, each looked up once:
    ``metric.labels(…)`` converts the values to strings, hashes them and takes the metric's lock
    at every call. The metric keeps every child it made for ever, so this holds no label set
    the metric does not; and no more than :data:`_MAX_CHILDREN` (beyond, ``labels`` again)."""

    __slots__ = ("found", "metric")

    def __init__(self, metric: M) -> None:
        self.metric = metric
        self.found: dict[tuple[object, ...], M] = {}

    def get(self, *values: object) -> M:
        child = self.found.get(values)
        if child is None:
            child = self.metric.labels(*values)
            if len(self.found) < _MAX_CHILDREN:
                self.found[values] = child
        return child


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
        self._in_progress = _Children(metrics.IN_PROGRESS)
        self._requests = _Children(metrics.REQUESTS)
        self._durations = _Children(metrics.REQUEST_DURATION)
        self._operations = _Children(metrics.GRAPHQL_OPERATIONS)
        self._operation_durations = _Children(metrics.GRAPHQL_DURATION)
        self._sparql_queries = _Children(metrics.SPARQL_QUERIES)
        self._cache_lookups = _Children(metrics.CACHE_LOOKUPS)
        if access_log:
            _configure_log()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        id_header = (_ID_HEADER, request_id.encode("ascii"))
        status = 500
        sent = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            kind = message["type"]
            if kind == "http.response.body":
                sent += len(message.get("body", b""))
            elif kind == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _ID_HEADER]
                headers.append(id_header)
                message = {**message, "headers": headers}
            await send(message)

        path = scope["path"]
        by_path = route_label(scope)  # not routed yet: by its path
        in_progress = self._in_progress.get(by_path)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            in_progress.dec()
            # routed: by the route's template; else the label by path still holds
            route = route_label(scope) if "route" in scope or scope["path"] != path else by_path
            elapsed = time.perf_counter() - started
            operation = self._operation(scope, state) if path == "/graphql" else None
            self._record(scope, route, status, elapsed, operation)
            if self.access_log:
                self._log(scope, request_id, route, status, elapsed, sent, operation)

    def _operation(self, scope: Scope, state: dict[str, Any]) -> str:
        name = state.get(OPERATION_KEY, _UNSET)
        if name is _UNSET:  # refused before the endpoint read it: a body is left unread
            get = scope["method"] == "GET"
            name = _operation_from_query(scope.get("query_string", b"")) if get else None
        return self.operations.label(name)

    def _record(
        self, scope: Scope, route: str, status: int, elapsed: float, operation: str | None
    ) -> None:
        method = scope["method"]
        self._requests.get(route, method, status).inc()
        self._durations.get(route).observe(elapsed)
        if operation is not None and method in ("GET", "POST"):
            self._operations.get(operation, status).inc()
            self._operation_durations.get(operation).observe(elapsed)
        if route == "/sparql" and method in ("GET", "POST"):
            self._sparql_queries.get(_outcome(status)).inc()
        if self.caches is not None:
            self._count_caches(scope)
        if self.on_request_end is not None:
            self.on_request_end(scope)

    def _count_caches(self, scope: Scope) -> None:
        assert self.caches is not None
        seen = self._seen
        for name, cache in self.caches(scope):
            hits, misses = cache.hits, cache.misses
            seen_hits, seen_misses = seen.get(name, (0, 0))
            if hits == seen_hits and misses == seen_misses:
                continue
            if hits > seen_hits:
                self._cache_lookups.get(name, "hit").inc(hits - seen_hits)
            if misses > seen_misses:
                self._cache_lookups.get(name, "miss").inc(misses - seen_misses)
            seen[name] = (hits, misses)

    def _log(
        self,
        scope: Scope,
        request_id: str,
        route: str,
        status: int,
        elapsed: float,
        sent: int,
        operation: str | None,
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
        if operation is not None:
            entry["operation"] = operation
        log.info(entry)
