"""HTTP helpers shared by the web routes: error bodies, base URLs, CORS, conditional requests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.settings import Settings
from graphsvc.web.errors import BusyError, ClientBusyError, WebRequestError

__all__ = [
    "EXPOSED_HEADERS",
    "PUBLIC_CORS_HEADERS",
    "PUBLIC_PATHS",
    "PublicCors",
    "base_url",
    "error_response",
    "http_date",
    "not_modified",
    "public_preflight",
    "with_public_cors",
]

EXPOSED_HEADERS = (
    "ETag",
    "Last-Modified",
    "Content-Disposition",
    "Link",
    "X-SPARQL-MaxRows",
    "X-SPARQL-Truncated",
)


def error_response(error: WebRequestError, headers: Mapping[str, str] | None = None) -> Response:
    """A plain-text refusal: the status and one paragraph that says why."""
    extra = dict(headers or {})
    if isinstance(error, BusyError | ClientBusyError):
        extra.setdefault("Retry-After", "1")
    return PlainTextResponse(error.message + "\n", status_code=error.status, headers=extra)


def base_url(request: Request, settings: Settings) -> str:
    """The public base URL (``GRAPHSVC_PUBLIC_URL``, else the request's), without a final ``/``."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    bare = etag.removeprefix("W/")
    return any(c == "*" or c.removeprefix("W/") == bare for c in candidates)


def not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 section 13.2.2: ``If-None-Match`` first, else ``If-Modified-Since``."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


PUBLIC_PATHS = (
    "/sparql",
    "/export/",
    "/id/",
    "/ontology",
    "/dataset",
    "/graph/",
    "/.well-known/void",
    "/context.jsonld",
)
"""Read-only, public routes that any web page may read (no credentials are involved)."""


PUBLIC_CORS_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()),
)


def _public(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC_PATHS)


def public_preflight(scope: Scope) -> Response | None:
    """The answer to a CORS preflight request from any origin, or ``None`` if it is not one."""
    if scope["method"] != "OPTIONS":
        return None
    headers = {name.lower(): value for name, value in scope["headers"]}
    if b"origin" not in headers or b"access-control-request-method" not in headers:
        return None
    allowed = headers.get(b"access-control-request-headers", b"Accept, Content-Type")
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
            "Access-Control-Allow-Headers": allowed.decode("latin-1"),
            "Access-Control-Max-Age": "86400",
        },
    )


def with_public_cors(send: Send) -> Send:
    """``send``, adding the public CORS headers to a response that has no CORS headers of its own."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(name.lower() == b"access-control-allow-origin" for name, _ in headers):
                headers.extend(PUBLIC_CORS_HEADERS)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_cors


class PublicCors:
    """CORS for the public read-only routes: any origin, no credentials, preflights answered.

    Placed outside the application-wide CORS middleware (which follows ``GRAPHSVC_CORS_ORIGINS``
    for everything else, GraphQL included), so that YASGUI or a notebook on any origin can
    ``POST application/sparql-query`` to ``/sparql``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _public(scope["path"]):
            await self.app(scope, receive, send)
            return
        preflight = public_preflight(scope)
        if preflight is not None:
            await preflight(scope, receive, send)
            return
        await self.app(scope, receive, with_public_cors(send))
