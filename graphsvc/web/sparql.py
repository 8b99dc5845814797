"""``/sparql``: the SPARQL 1.1 Protocol, query operation only.

Requests: ``GET ?query=``, ``POST`` form-encoded, ``POST application/sparql-query``, each with
optional ``default-graph-uri`` / ``named-graph-uri``. A ``GET`` without a query returns the
service description. Refusals are 4xx with a plain-text reason; see ``docs/sparql.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio.to_thread
import pyoxigraph
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from graphsvc.engine.evaluate import BudgetExceeded, QuerySyntaxError
from graphsvc.engine.pool import EngineFailure, PoolBusy
from graphsvc.errors import GraphsvcError
from graphsvc.http.cors import public_preflight, with_public_cors
from graphsvc.http.forms import FormEncodingError, parse_form
from graphsvc.http.guards import CLIENT_KEY
from graphsvc.http.headers import SCRIPT_PAGE_POLICY
from graphsvc.settings import Settings
from graphsvc.web.cache import Rendered, ResultCache
from graphsvc.web.descriptions import service_description
from graphsvc.web.errors import (
    BusyError,
    ClientBusyError,
    ForbiddenQueryError,
    MalformedQueryError,
    QueryTimeoutError,
    QueryTooComplexError,
    WebRequestError,
)
from graphsvc.web.examples import example_queries
from graphsvc.web.execute import Answer, QueryDataset, media_types, run_query
from graphsvc.web.formats import GRAPH_OFFERS, HTML, RESULTS_OFFERS
from graphsvc.web.html import service_page
from graphsvc.web.http import PUBLIC_CORS_HEADERS, base_url, error_response, with_charset
from graphsvc.web.negotiation import negotiate
from graphsvc.web.query_check import QueryInspection, inspect_query
from graphsvc.web.resources import render_triples
from graphsvc.web.state import WebState, existing_web_state, web_state

__all__ = ["MAX_QUERY_BYTES", "SparqlApp", "sparql_endpoint"]

_log = logging.getLogger(__name__)

MAX_QUERY_BYTES = 1 << 20
_LONG_TEXT = 16 * 1024
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_READ_ONLY = (
    "this endpoint is read-only: SPARQL Update ({what}) is refused; "
    "send SELECT, ASK, CONSTRUCT or DESCRIBE queries"
)


class _Params:
    """Protocol parameters from the URL and, for form posts, the body (repeatable names)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)


async def _read_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_QUERY_BYTES:
            raise WebRequestError(f"request body larger than {MAX_QUERY_BYTES} bytes", 413)
    return body


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebRequestError(f"{what} is not UTF-8: {exc.reason} at byte {exc.start}") from None


def _form(data: bytes, what: str) -> list[tuple[str, str]]:
    """Strictly decoded: a broken escape or non-UTF-8 text is a 400, never a changed query."""
    try:
        return parse_form(data, what) if data else []
    except FormEncodingError as exc:
        raise WebRequestError(str(exc)) from None


async def _parse_request(request: Request) -> tuple[str | None, _Params]:
    url_params = _form(request.scope["query_string"], "the query string")
    if request.method == "GET":
        params = _Params(url_params)
        if params.has("update"):
            raise ForbiddenQueryError("UPDATE", _READ_ONLY.format(what="update parameter"))
        queries = params.all("query")
        if len(queries) > 1:
            raise WebRequestError("the query parameter must be given once")
        return (queries[0] if queries else None), params

    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == _UPDATE:
        raise ForbiddenQueryError("UPDATE", _READ_ONLY.format(what=_UPDATE))
    if media_type == _FORM:
        params = _Params(_form(await _read_body(request), "the form body") + url_params)
        if params.has("update"):
            raise ForbiddenQueryError("UPDATE", _READ_ONLY.format(what="update parameter"))
        queries = params.all("query")
        if len(queries) != 1:
            raise WebRequestError("a form post needs exactly one query parameter")
        return queries[0], params
    if media_type == _QUERY:
        text = _decode(await _read_body(request), "the query")
        return text, _Params(url_params)
    raise WebRequestError(
        f"unsupported Content-Type {media_type or '(none)'!r}: POST {_QUERY} or {_FORM}", 415
    )


def _check_graphs(params: _Params) -> tuple[list[str], list[str]]:
    default_graphs = params.all("default-graph-uri")
    named_graphs = params.all("named-graph-uri")
    for value in (*default_graphs, *named_graphs):
        try:
            pyoxigraph.NamedNode(value)
        except ValueError as exc:
            raise WebRequestError(f"graph IRI {value!r} is not an absolute IRI: {exc}") from None
    return default_graphs, named_graphs


async def _refuse_foreign_graphs(request: Request, graphs: Sequence[str]) -> None:
    """Graphs must be ones this dataset holds: nothing is ever fetched, from files or the web."""
    if not graphs:
        return
    for graph in graphs:
        if graph.lower().startswith("file:"):
            raise ForbiddenQueryError(
                "file", f"graph <{graph}> is refused: this endpoint never reads files"
            )
    store = web_state(request).services.store
    known = {g.value for g in await anyio.to_thread.run_sync(store.named_graphs)}
    for graph in graphs:
        if graph not in known:
            raise ForbiddenQueryError(
                "remote graph",
                f"graph <{graph}> is not in this dataset; this endpoint answers only from its own "
                "graphs and never fetches remote data (the list is at /.well-known/void)",
            )


def _inspect(text: str, settings: Settings) -> QueryInspection:
    max_tokens, max_depth = settings.sparql_max_tokens, settings.sparql_max_nesting
    inspection = inspect_query(text, max_depth, max_tokens)
    if inspection.size > max_tokens:
        raise QueryTooComplexError(
            f"the query has more than {max_tokens} tokens (GRAPHSVC_SPARQL_MAX_TOKENS): long "
            "chains of patterns, operators, paths or unions nest deeply inside the engine; "
            "split the query, or download a dump from /export/nq.gz"
        )
    if inspection.depth > max_depth:
        raise QueryTooComplexError(
            f"the query nests brackets {inspection.depth} deep, more than {max_depth} "
            "(GRAPHSVC_SPARQL_MAX_NESTING)"
        )
    if inspection.forbidden:
        line, column = inspection.forbidden_at or (0, 0)
        raise ForbiddenQueryError(
            inspection.forbidden[0],
            f"{inspection.forbidden[0]} (federated query) at line {line}, column {column} is "
            "refused: this endpoint answers only from its own data and never calls other "
            "services or fetches remote or file: IRIs",
        )
    if inspection.update:
        line, column = inspection.update_at or (0, 0)
        raise ForbiddenQueryError(
            "UPDATE",
            _READ_ONLY.format(what=f"{inspection.update} at line {line}, column {column}"),
        )
    if inspection.lex_error:
        line, column, reason = inspection.lex_error
        raise MalformedQueryError(reason, line, column)
    return inspection


def _answer_response(answer: Answer, settings: Settings) -> Response:
    headers = {"Vary": "Accept"}
    body = answer.body
    if answer.truncated:
        headers["X-SPARQL-MaxRows"] = str(settings.sparql_max_rows)
        headers["X-SPARQL-Truncated"] = "true"
        if answer.media_type == "application/sparql-results+json" and body.endswith(b"}"):
            note = (
                f'"truncated":true,"note":"result truncated to the first {answer.count} rows '
                "(GRAPHSVC_SPARQL_MAX_ROWS); page through with ORDER BY, LIMIT and OFFSET, "
                'or download a dump from /export/nq.gz"'
            )
            body = body[:-1] + b"," + note.encode() + b"}"
    return Response(body, headers=headers, media_type=with_charset(answer.media_type))


async def sparql_endpoint(request: Request) -> Response:
    state = web_state(request)
    settings = state.services.settings
    try:
        text, params = await _parse_request(request)
        formats = [*params.all("format"), *params.all("output")]
        accept = request.headers.get("accept")
        if text is None:
            return await _describe_service(request, settings, accept, formats)
        if not text.strip():
            raise MalformedQueryError("the query is empty")
        if len(text) > _LONG_TEXT:  # lexing is linear and bounded; long texts off the loop,
            # one at a time: threads contending for the interpreter would slow the loop
            async with state.long_inspections:
                inspection = await anyio.to_thread.run_sync(_inspect, text, settings)
        else:
            inspection = _inspect(text, settings)
        default_graphs, named_graphs = _check_graphs(params)
        await _refuse_foreign_graphs(
            request,
            [
                *default_graphs,
                *named_graphs,
                *inspection.from_graphs,
                *inspection.from_named_graphs,
            ],
        )
        if default_graphs or named_graphs:
            dataset = QueryDataset(
                tuple(pyoxigraph.NamedNode(g) for g in default_graphs),
                tuple(pyoxigraph.NamedNode(g) for g in named_graphs),
                union_default_graph=False,
            )
        else:
            dataset = QueryDataset(union_default_graph=not inspection.has_dataset_clause)
        graph_form = inspection.form in ("CONSTRUCT", "DESCRIBE")
        offer = negotiate(GRAPH_OFFERS if graph_form else RESULTS_OFFERS, accept, formats)
        store = state.services.store
        cache = state.results
        # read before the query runs, so an answer is never filed under a later generation
        generation = store.generation if cache.enabled and not inspection.volatile else None
        key = (text, tuple(default_graphs), tuple(named_graphs), offer.name)
        if generation is not None and (cached := cache.get(generation, key)) is not None:
            _file_request(request, cache, generation, cached)
            return _cached_response(cached)
        client = _client(request)
        running = state.running.get(client, 0)
        if running >= _share(settings):
            raise ClientBusyError(running)
        state.running[client] = running + 1
        try:
            answer = await _evaluate(state, text, dataset, offer.name, settings)
        finally:
            if (left := state.running[client] - 1) > 0:
                state.running[client] = left
            else:
                del state.running[client]
        response = _answer_response(answer, settings)
        if generation is not None:
            rendered = Rendered([*response.raw_headers, *PUBLIC_CORS_HEADERS], bytes(response.body))
            cache.put(generation, key, rendered)
            _file_request(request, cache, generation, rendered)
        return response
    except WebRequestError as error:
        return error_response(error, {"Vary": "Accept"})
    except GraphsvcError as error:
        return error_response(WebRequestError(f"the store failed: {error}", 500))


def _client(request: Request) -> str:
    """The client's limit key, as the guard in front of the routes worked it out."""
    key = request.scope.get(CLIENT_KEY)
    if isinstance(key, str):
        return key
    return request.client.host if request.client else "unknown"


def _share(settings: Settings) -> int:
    """How many queries one client may have in the workers at once."""
    if settings.sparql_workers_per_client > 0:
        return settings.sparql_workers_per_client
    return max(1, settings.sparql_workers // 2)


async def _evaluate(
    state: WebState, text: str, dataset: QueryDataset, offer: str, settings: Settings
) -> Answer:
    """The answer from a worker process (embedded store) or a thread (remote store)."""
    if state.pool is None:
        store = state.services.store
        return await state.runner.run(
            lambda budget: run_query(store, text, dataset, offer, settings.sparql_max_rows, budget),
            settings.sparql_timeout,
        )
    try:
        return await state.pool.answer(
            text, dataset, media_types(offer), settings.sparql_max_rows, settings.sparql_timeout
        )
    except QuerySyntaxError as exc:
        raise MalformedQueryError(exc.reason, exc.line, exc.column) from None
    except BudgetExceeded as exc:
        raise QueryTimeoutError(exc.seconds) from None
    except PoolBusy as exc:
        raise BusyError(exc.slots) from None
    except EngineFailure as exc:
        _log.error("/sparql: %s; query: %.500r", exc, text)
        raise WebRequestError(
            "internal error: the query engine failed on this query; it has been logged", 500
        ) from None


def _request_key(scope: Scope) -> tuple[object, ...]:
    """All a GET's answer depends on besides the data: its query string and ``Accept``."""
    accept = tuple(value for name, value in scope["headers"] if name == b"accept")
    return ("GET", scope["query_string"], accept)


def _file_request(request: Request, cache: ResultCache, generation: int, answer: Rendered) -> None:
    """File ``answer`` under the raw request too, so a repeated GET is answered unparsed."""
    if request.method in ("GET", "HEAD"):
        cache.put(generation, _request_key(request.scope), answer)


def _cached_response(answer: Rendered) -> Response:
    response = Response(answer.body)
    response.raw_headers = list(answer.headers)
    return response


def _cached_answer(scope: Scope) -> Rendered | None:
    """The stored answer to this very GET, if the data has not changed since."""
    state = existing_web_state(scope["app"].state)
    if state is None:
        return None  # the first request of this service sets it up
    generation = state.services.store.generation
    if generation is None or not state.results.enabled:
        return None
    return state.results.get(generation, _request_key(scope))


class SparqlApp:
    """``/sparql`` as an ASGI application that stands on its own.

    The application's front door (:mod:`graphsvc.web.front`) sends requests here without the
    middleware chain, so this answers for what the chain does: methods (405 with ``Allow``),
    CORS preflights and headers (any origin, like the other public routes), and a plain 500
    instead of an exception escaping to the server.
    """

    methods = ("GET", "HEAD", "POST", "OPTIONS")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method in ("GET", "HEAD") and (cached := _cached_answer(scope)) is not None:
            await send({"type": "http.response.start", "status": 200, "headers": cached.headers})
            await send({"type": "http.response.body", "body": cached.body})
            return
        response: Response
        if method == "OPTIONS":
            response = public_preflight(scope) or Response(
                status_code=204, headers={"Allow": ", ".join(self.methods)}
            )
        elif method not in self.methods:
            response = PlainTextResponse(
                f"method {method} is not allowed on /sparql; use GET or POST\n",
                status_code=405,
                headers={"Allow": ", ".join(self.methods)},
            )
        else:
            try:
                response = await sparql_endpoint(Request(scope, receive))
            except ClientDisconnect:
                return  # gone before its body arrived (or cut off by the body time-out)
            except Exception:
                _log.exception("/sparql failed")
                response = PlainTextResponse(
                    "internal error: the query could not be answered\n", status_code=500
                )
        await response(scope, receive, with_public_cors(send, PUBLIC_CORS_HEADERS))


async def _describe_service(
    request: Request, settings: Settings, accept: str | None, formats: list[str]
) -> Response:
    offer = negotiate((*GRAPH_OFFERS, HTML), accept, formats)
    base = base_url(request, settings)
    if offer is HTML:
        page = service_page(base, settings, example_queries())
        return Response(
            page,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": SCRIPT_PAGE_POLICY, "Vary": "Accept"},
        )
    stats, _ = await web_state(request).stats()
    triples = service_description(stats, base, settings)
    body = render_triples(triples, offer)
    return Response(body, media_type=offer.media_type, headers={"Vary": "Accept"})
