"""HTTP helpers shared by the web routes: error bodies, base URLs, conditional requests, and
which routes any origin may read (the CORS itself: :mod:`graphsvc.http.cors`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp

from graphsvc.http import cors
from graphsvc.http.cors import public_cors_headers
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
    "with_charset",
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


def with_charset(media_type: str) -> str:
    """The ``Content-Type`` of a UTF-8 body of ``media_type``: the charset said for XML types
    (Starlette adds it to ``text/`` types itself)."""
    return media_type + "; charset=utf-8" if media_type.endswith("+xml") else media_type


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


PUBLIC_CORS_HEADERS = public_cors_headers(EXPOSED_HEADERS)
"""What lets any origin read a response of :data:`PUBLIC_PATHS`, with its headers."""


class PublicCors(cors.PublicCors):
    """CORS for :data:`PUBLIC_PATHS`: any origin, no credentials, preflights answered."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, PUBLIC_PATHS, PUBLIC_CORS_HEADERS)
