"""GraphQL over HTTP: the ``/graphql`` endpoint.

Follows the GraphQL-over-HTTP specification:

- ``POST`` with an ``application/json`` body, or ``GET`` with ``query``, ``variables``,
  ``operationName`` and ``extensions`` in the URL; a mutation over ``GET`` is ``405``.
- Responses are ``application/graphql-response+json`` when the client accepts it: ``200`` for an
  execution result, ``400`` for a request that fails before execution (syntax, validation, a
  limit, unknown operation, bad variables). ``application/json`` (the default, and the answer to
  ``*/*``) keeps ``200`` for every well-formed request.
- A malformed request (bad JSON, no query, variables nested deeper than
  ``settings.max_variables_depth``) is ``400``, an invalid or revoked API token ``401`` with
  ``WWW-Authenticate: Bearer error="invalid_token"``, a body over 1 MiB ``413``, an unsupported
  body type ``415``, an ``Accept`` header that allows no JSON type ``406``, too many requests
  ``429`` with ``Retry-After``; each with a GraphQL ``errors`` body.
- A document not seen before is parsed and validated in a worker thread, never on the event loop.
- GraphiQL is served to browsers on ``GET /graphql`` when ``settings.graphiql`` is on, bundled
  from npm (``frontend/consoles``), so it needs no other origin (:mod:`graphsvc.http.pages`).
- Automatic persisted queries (:mod:`graphsvc.api.server.persisted`), over ``GET`` too.
- Successful query results are cached per read-model version (:mod:`graphsvc.api.server.results`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
import orjson
import strawberry
from graphql import ExecutionResult, GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from graphsvc.api.context import Context
from graphsvc.api.server.execution import DocumentCache, Executor, format_errors
from graphsvc.api.server.persisted import PersistedQueries, PersistedQueryError
from graphsvc.api.server.results import ResultCache, result_key
from graphsvc.edit.auth import ANONYMOUS, Principal, TokenRegistry, tokens_path
from graphsvc.http.buckets import TokenBuckets
from graphsvc.http.clients import client_key
from graphsvc.http.negotiation import parse_accept
from graphsvc.http.observe import note_operation
from graphsvc.http.pages import graphiql_response
from graphsvc.settings import Settings

__all__ = ["GRAPHQL_RESPONSE", "JSON", "MAX_BODY_BYTES", "GraphQLView", "RequestContext"]

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_VARY = "Accept, Authorization"
_REALM = 'Bearer realm="graphsvc"'
MAX_BODY_BYTES = 1 << 20
"""The largest request body read (1 MiB); a bigger one is refused with 413 before parsing."""


@dataclass
class RequestContext(Context):
    """The context of one HTTP request: the services, who is asking, and the request."""

    principal: Principal = ANONYMOUS
    request: Request | None = None


class _RequestError(Exception):
    """A request that cannot be executed; becomes an ``errors``-only response."""

    def __init__(
        self,
        message: str,
        code: str,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
        legacy_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.body = {"errors": [{"message": message, "extensions": {"code": code}}]}
        self.status = status
        self.legacy_status = status if legacy_status is None else legacy_status
        self.headers = dict(headers or {})


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or None when nothing fits: the
    GraphQL response type when it is among the best, else JSON (also for ``*/*``)."""
    if not accept:
        return JSON
    best, best_rank = None, (0.0, -1)
    for media_range in parse_accept(accept):
        if media_range.q <= 0:
            continue
        if media_range.matches(GRAPHQL_RESPONSE) == 3:
            candidate, preference = GRAPHQL_RESPONSE, 2
        elif media_range.matches(JSON):
            candidate, preference = JSON, 1
        else:
            continue
        if (media_range.q, preference) > best_rank:
            best, best_rank = candidate, (media_range.q, preference)
    return best


async def _read_body(request: Request) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed :data:`MAX_BODY_BYTES`."""
    too_large = _RequestError(
        f"The request body is larger than {MAX_BODY_BYTES} bytes.", "PAYLOAD_TOO_LARGE", 413
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        if int(declared) > MAX_BODY_BYTES:
            raise too_large
        return await request.body()  # the server stops at the declared length
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _nesting(value: Any, limit: int) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0), counted up to ``limit + 1``.

    Iterative, so a body of ``[[[[…]]]]`` costs a loop and not the interpreter's stack.
    """
    if not isinstance(value, dict | list):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            break
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return deepest


def _json_param(raw: str | None, name: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _RequestError(f"The '{name}' parameter is not valid JSON.", "BAD_REQUEST") from None


class GraphQLView:
    """The ``/graphql`` endpoint: one instance per app, holding the caches and rate limiters."""

    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        core = schema._schema
        self.settings = settings
        self.documents = DocumentCache(core, settings)
        self.executor = Executor(core, settings)
        self.persisted = PersistedQueries(
            settings.persisted_query_cache_size, settings.max_cached_query_length
        )
        self.results = ResultCache(
            settings.result_cache_size,
            max_bytes=settings.result_cache_bytes,
            max_key=settings.max_cached_query_length,
        )
        self.tokens = TokenRegistry(tokens_path(settings))
        self.by_address = TokenBuckets(
            settings.rate_per_address, settings.burst_per_address, max_keys=50_000
        )
        self.by_token = TokenBuckets(
            settings.rate_per_token, settings.burst_per_token, max_keys=50_000
        )
        # new documents are parsed and validated off the event loop, two at a time at most
        self.preparing = anyio.CapacityLimiter(2)
        self._accept_cache: dict[str | None, str | None] = {}

    async def handle(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        media_type = self._accept_cache.get(accept, "")
        if media_type == "":
            media_type = negotiate(accept)
            if len(self._accept_cache) < 256:
                self._accept_cache[accept] = media_type
        if (
            request.method == "GET"
            and self.settings.graphiql
            and accept is not None
            and "text/html" in accept
            and "query" not in request.query_params
            and "extensions" not in request.query_params
        ):
            return graphiql_response(request.url.path)
        if media_type is None:
            return self._error_response(
                _RequestError(
                    f"Cannot answer in any type of '{accept}': accept {GRAPHQL_RESPONSE} "
                    f"or {JSON}.",
                    "NOT_ACCEPTABLE",
                    406,
                ),
                JSON,
            )
        try:
            return await self._handle(request, media_type)
        except _RequestError as error:
            return self._error_response(error, media_type)
        except Exception:
            log.exception("GraphQL request failed")
            return self._error_response(
                _RequestError("Unexpected error.", "INTERNAL_SERVER_ERROR", 500), media_type
            )

    async def _handle(self, request: Request, media_type: str) -> Response:
        legacy = media_type == JSON
        principal = self.tokens.authenticate(request.headers.get("authorization"))
        self._check_rate(request, principal)
        if principal.problem is not None:
            # a token that does not work is refused, never served as anonymous
            raise _RequestError(
                principal.problem,
                "UNAUTHENTICATED",
                401,
                headers={"WWW-Authenticate": _challenge(principal)},
            )
        query, variables, operation_name, extensions = await self._params(request)
        try:
            query = self.persisted.resolve(query, extensions)
        except PersistedQueryError as error:
            not_found = error.code == "PERSISTED_QUERY_NOT_FOUND"
            raise _RequestError(
                str(error), error.code, 400, legacy_status=200 if not_found else 400
            ) from None
        if query is None:
            raise _RequestError("The request has no 'query'.", "BAD_REQUEST")
        prepared = self.documents.get(query)
        if prepared is None:
            prepared = await anyio.to_thread.run_sync(
                self.documents.prepare, query, limiter=self.preparing
            )
        request_error_status = 200 if legacy else 400
        if prepared.errors:
            return self._result_response(
                {"errors": format_errors(prepared.errors)}, request_error_status, media_type
            )
        try:
            operation = prepared.operation(operation_name)
            if request.method == "GET" and self.executor.is_mutation(operation):
                raise _RequestError(
                    "Mutations must be sent with POST.",
                    "METHOD_NOT_ALLOWED",
                    405,
                    headers={"Allow": "POST"},
                )
            self.executor.check_cost(prepared, operation, variables or {})
        except GraphQLError as error:
            return self._result_response(
                {"errors": format_errors([error])}, request_error_status, media_type
            )
        services = request.app.state.services
        key = None
        if self.results.enabled and not self.executor.is_mutation(operation):
            version = services.read_model.version
            key = result_key(
                query, operation_name, variables, principal.token.id if principal.token else None
            )
            cached = self.results.get(key, version)
            if cached is not None:
                return Response(cached, 200, headers={"Vary": _VARY}, media_type=media_type)
        context = RequestContext(services=services, principal=principal, request=request)
        result = await self.executor.run(prepared, operation, variables, context)
        if key is not None and result.errors is None:
            body = orjson.dumps({"data": result.data})
            self.results.put(key, version, body)
            return Response(body, 200, headers={"Vary": _VARY}, media_type=media_type)
        return self._execution_response(result, media_type)

    def _check_rate(self, request: Request, principal: Principal) -> None:
        """Count the request against its token, or its address when it has no valid token."""
        if principal.token is not None:
            limiter, key, who = self.by_token, principal.token.id, "this API token"
        else:
            # the peer, or the client behind GRAPHSVC_TRUSTED_PROXIES; an IPv6 client per /64
            host = client_key(request.scope, self.settings)
            limiter, key, who = self.by_address, host, "this address"
        wait = limiter.acquire(key)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise _RequestError(
                f"Too many requests from {who}: at most {limiter.rate:g} per second "
                f"(bursts of {limiter.burst}). Retry in {retry} s.",
                "RATE_LIMITED",
                429,
                headers={"Retry-After": str(retry)},
            )

    async def _params(
        self, request: Request
    ) -> tuple[str | None, dict[str, Any] | None, str | None, dict[str, Any] | None]:
        if request.method == "GET":
            params = request.query_params
            raw: dict[str, Any] = {
                "query": params.get("query"),
                "operationName": params.get("operationName") or None,
                "variables": _json_param(params.get("variables"), "variables"),
                "extensions": _json_param(params.get("extensions"), "extensions"),
            }
        else:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise _RequestError(
                    f"Send the request body as {JSON}, not '{content_type or 'nothing'}'.",
                    "UNSUPPORTED_MEDIA_TYPE",
                    415,
                )
            try:
                body = orjson.loads(await _read_body(request))
            except orjson.JSONDecodeError:
                raise _RequestError("The request body is not valid JSON.", "BAD_REQUEST") from None
            if not isinstance(body, dict):
                raise _RequestError("The request body must be a JSON object.", "BAD_REQUEST")
            raw = body
        # for the request metrics and the access log (graphsvc.http.observe), as sent
        note_operation(request.scope, raw.get("operationName"))
        query, variables = raw.get("query"), raw.get("variables")
        operation_name, extensions = raw.get("operationName"), raw.get("extensions")
        if query is not None and not isinstance(query, str):
            raise _RequestError("'query' must be a string.", "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            raise _RequestError("'variables' must be an object.", "BAD_REQUEST")
        if operation_name is not None and not isinstance(operation_name, str):
            raise _RequestError("'operationName' must be a string.", "BAD_REQUEST")
        if extensions is not None and not isinstance(extensions, dict):
            raise _RequestError("'extensions' must be an object.", "BAD_REQUEST")
        limit = self.settings.max_variables_depth
        for name, value in (("variables", variables), ("extensions", extensions)):
            if value is not None and (depth := _nesting(value, limit)) > limit:
                raise _RequestError(
                    f"'{name}' nests objects and arrays {depth} levels deep or more; "
                    f"the limit is {limit}.",
                    "BAD_REQUEST",
                )
        return query, variables, operation_name, extensions

    def _execution_response(self, result: ExecutionResult, media_type: str) -> Response:
        errors = result.errors
        if errors is None:
            return self._result_response({"data": result.data}, 200, media_type)
        formatted = format_errors(errors)
        if (
            result.data is None
            and all(e.path is None for e in errors)
            and not any((e.extensions or {}).get("code") == "TIMEOUT" for e in errors)
        ):
            # Variables that do not coerce: a request error, execution never started.
            status = 200 if media_type == JSON else 400
            return self._result_response({"errors": formatted}, status, media_type)
        return self._result_response({"data": result.data, "errors": formatted}, 200, media_type)

    @staticmethod
    def _result_response(body: dict[str, Any], status: int, media_type: str) -> Response:
        return Response(orjson.dumps(body), status, headers={"Vary": _VARY}, media_type=media_type)

    @staticmethod
    def _error_response(error: _RequestError, media_type: str) -> Response:
        status = error.legacy_status if media_type == JSON else error.status
        headers = {"Vary": _VARY, **error.headers}
        return Response(orjson.dumps(error.body), status, headers=headers, media_type=media_type)


def _challenge(principal: Principal) -> str:
    """The ``WWW-Authenticate`` value for a refused token (RFC 6750, section 3)."""
    if principal.malformed:
        return _REALM  # not a bearer token at all: only say what is expected
    description = (principal.problem or "").replace("\\", "").replace('"', "'")
    return f'{_REALM}, error="invalid_token", error_description="{description}"'
