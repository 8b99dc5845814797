"""CORS for public, read-only routes: any origin may read them, without credentials.

The application-wide CORS middleware (Starlette's, :func:`origin_cors`) follows
``GRAPHSVC_CORS_ORIGINS`` for everything else, GraphQL included. Routes that any web page may
read (``/sparql``, exports, entity pages: :data:`graphsvc.web.http.PUBLIC_PATHS`) go through
:class:`PublicCors` instead, so that YASGUI or a notebook on any origin can ``POST`` a query; and
the ``429`` that refuses a client on those routes says ``Retry-After`` to any origin too
(:mod:`graphsvc.http.limits`).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "PublicCors",
    "origin_cors",
    "public_cors_headers",
    "public_preflight",
    "with_public_cors",
]

_ALLOW_ORIGIN = b"access-control-allow-origin"


def origin_cors(origins: Iterable[str]) -> Middleware:
    """CORS for the configured ``origins`` only (``GRAPHSVC_CORS_ORIGINS``; none by default)."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified"],
    )


def public_cors_headers(exposed: Iterable[str]) -> tuple[tuple[bytes, bytes], ...]:
    """The headers that let any origin read a response, and the ``exposed`` headers of it."""
    return ((_ALLOW_ORIGIN, b"*"), (b"access-control-expose-headers", ", ".join(exposed).encode()))


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


def with_public_cors(send: Send, cors: tuple[tuple[bytes, bytes], ...]) -> Send:
    """``send``, adding the ``cors`` headers to a response that has no CORS headers of its own."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(name.lower() == _ALLOW_ORIGIN for name, _ in headers):
                headers.extend(cors)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_cors


class PublicCors:
    """CORS for the public read-only ``paths`` (exact, or prefixes when they end in ``/``): any
    origin, no credentials, preflights answered, ``cors`` headers on every response.

    Placed outside the application-wide CORS middleware, which then sees the response already
    carrying its CORS headers.
    """

    def __init__(
        self, app: ASGIApp, paths: Iterable[str], cors: tuple[tuple[bytes, bytes], ...]
    ) -> None:
        self.app = app
        paths = tuple(paths)
        self.exact = frozenset(paths)
        self.prefixes = tuple(p for p in paths if p.endswith("/"))
        self.cors = cors

    def _public(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        preflight = public_preflight(scope)
        if preflight is not None:
            await preflight(scope, receive, send)
            return
        await self.app(scope, receive, with_public_cors(send, self.cors))
