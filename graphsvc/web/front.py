"""The service's Starlette application, with a front door for the hottest route.

Starlette's middleware chain (error handler, two CORS layers, exception handler, router) costs
more per request than answering a repeated SPARQL query from the result cache. Requests for
the paths in ``direct`` skip it: they go straight to their ASGI handler, which then answers
for what the chain would have done (methods, CORS, errors; see
:class:`graphsvc.web.sparql.SparqlApp`). Everything else, lifespan included, takes the chain.
The ``outer`` middleware (limits, security headers) stands in front of the door: no request
passes it by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["FrontDoor", "ServiceApp"]


class FrontDoor:
    """ASGI middleware that hands requests for a few exact paths straight to their handler."""

    def __init__(self, app: ASGIApp, direct: Mapping[str, ASGIApp]) -> None:
        self.app = app
        self.direct = dict(direct)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            handler = self.direct.get(scope["path"])
            if handler is not None:
                await handler(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ServiceApp(Starlette):
    """A Starlette application whose ``direct`` paths bypass the middleware chain, and whose
    ``outer`` middleware (first listed is outermost) wraps everything, direct paths included."""

    def __init__(
        self,
        *args: Any,
        direct: Mapping[str, ASGIApp] | None = None,
        outer: Sequence[Middleware] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.direct = dict(direct or {})
        self.outer = tuple(outer)

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = FrontDoor(super().build_middleware_stack(), self.direct)
        for cls, args, kwargs in reversed(self.outer):
            app = cls(app, *args, **kwargs)
        return app
