"""``create_app(settings)``: the Starlette application and its lifespan."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from graphsvc import __version__
from graphsvc.api.server import graphql_routes
from graphsvc.api.subscriptions import subscription_routes
from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.feed.follow import following
from graphsvc.feed.routes import feed_routes
from graphsvc.http.assets import CONSOLES
from graphsvc.http.cors import origin_cors
from graphsvc.http.guards import guard_middleware
from graphsvc.http.operations import (
    admin_refusal,
    instrument,
    observe_middleware,
    operation_routes,
)
from graphsvc.services import Derived, Services, open_services
from graphsvc.settings import Settings
from graphsvc.web import PublicCors, ServiceApp, direct_routes, web_routes
from graphsvc.web.app_files import app_documents
from graphsvc.web.http import PUBLIC_PATHS
from graphsvc.web.state import close_web_state, open_web_state

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the service. The store opens when the app starts and closes when it stops."""
    settings = (settings or Settings.from_env()).validate()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # the state ``serve --workers``'s launcher derived before forking this worker, if any:
        # taken once, as a later start of this app must read the store afresh
        derived: Derived | None = getattr(app.state, "derived", None)
        app.state.derived = None
        services = open_services(settings, derived)
        instrument(services)  # refresh times, build times, feed revision
        # The read model and the recommendation index are long-lived objects by the hundred
        # thousand: left to the cyclic collector, a full collection walks them all (770 ms at
        # 100k practices, every request waiting). Frozen, collections see only newer objects.
        gc.collect()
        gc.freeze()
        app.state.services = services
        await open_web_state(app.state)
        try:
            async with following(services):  # other workers' writes, when there can be any
                yield
        finally:
            await close_web_state(app.state)
            services.close()
            gc.unfreeze()  # collectable again once this service's objects are garbage

    async def healthz(request: Request) -> JSONResponse:
        services: Services = request.app.state.services
        return JSONResponse({"status": "ok", "version": __version__, "store": services.store.kind})

    tokens = TokenRegistry(tokens_path(settings))
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        *operation_routes(lambda header: admin_refusal(tokens.authenticate(header))),
        # GraphiQL's and the service pages' bundled files (content-hashed: cached for a year)
        Route(CONSOLES.prefix + "assets/{path}", CONSOLES.serve, methods=["GET", "HEAD"]),
        *graphql_routes(settings, trusted=app_documents()),  # the app's own operations
        *subscription_routes(),  # WebSocket /graphql
        *web_routes(settings),
        *feed_routes(),
    ]
    middleware = [
        Middleware(PublicCors),  # /sparql, /export, /id/...: any origin may read
        origin_cors(settings.cors_origins),  # everything else, GraphQL included
    ]
    return ServiceApp(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        direct=direct_routes(),
        # request ids, access log and metrics first, then rate, concurrency and headers for
        # every request, cached /sparql answers included
        outer=[observe_middleware(settings, routes), *guard_middleware(settings, PUBLIC_PATHS)],
    )
