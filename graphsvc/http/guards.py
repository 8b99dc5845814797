"""The one middleware in front of the whole application, direct routes included.

Security headers on every response and, on the researcher-facing routes, the per-client
limits, in one ASGI layer: a cached ``/sparql`` answer costs about 60 µs of CPU in all, so the
layer is kept to a few attribute reads, two dictionary lookups and one wrapped ``send``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from graphsvc.http.clients import client_identity
from graphsvc.http.headers import SecurityHeaders
from graphsvc.http.limits import ClientLimits
from graphsvc.settings import Settings

__all__ = ["CLIENT_KEY", "Guard", "guard_middleware"]

CLIENT_KEY = "graphsvc.client"
"""The ASGI scope entry that holds the client's limit key on the researcher-facing routes."""


class Guard:
    """:class:`SecurityHeaders` around :class:`ClientLimits` on ``limited_paths``."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        limited_paths: Iterable[str],
        page_policies: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.headers = SecurityHeaders(None, page_policies)
        self.limits = ClientLimits(settings, limited_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self.headers.wrap(scope, send)
        limits = self.limits
        if not limits.applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = limits.identity.key(scope)
        scope[CLIENT_KEY] = key  # who the client is, for limits further in (SPARQL workers)
        refusal = limits.admit(key)
        if refusal is not None:
            await refusal(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            limits.release(key)


def guard_middleware(
    settings: Settings,
    limited_paths: Iterable[str],
    page_policies: Mapping[str, str] | None = None,
) -> list[Middleware]:
    """The :class:`Guard` for ``ServiceApp(outer=…)``; a bad proxy setting raises here, at
    start-up, not at the first request."""
    guard = Middleware(
        Guard,
        settings=settings,
        limited_paths=tuple(limited_paths),
        page_policies=dict(page_policies or {}),
    )
    client_identity(settings)  # reads, and so checks, the proxy settings now
    return [guard]
