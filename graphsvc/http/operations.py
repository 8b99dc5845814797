"""The operations side of the service, wired by :func:`graphsvc.app.create_app` in three calls.

* :func:`operation_routes`: ``/readyz``, ``/metrics`` (:mod:`.probes`) and ``/admin/backup``
  (:mod:`.admin`);
* :func:`observe_middleware`: request ids, JSON access logs, request metrics (:mod:`.observe`);
* :func:`instrument`: times the derived state's refreshes after each write and records the
  start-up builds and the change-feed revision (:mod:`.metrics`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from graphsvc.http import metrics
from graphsvc.http.admin import Authorise, admin_routes
from graphsvc.http.observe import CacheCounters, Observe
from graphsvc.http.probes import probe_routes
from graphsvc.settings import Settings

__all__ = ["admin_refusal", "instrument", "observe_middleware", "operation_routes"]


def admin_refusal(principal: Any) -> str | None:
    """For :func:`operation_routes`: why a principal (``graphsvc.edit.auth.Principal``) may not
    use the admin routes, or None."""
    if principal.is_admin:
        return None
    if principal.authenticated:
        return "an admin token is needed"
    return str(principal.refusal())


def operation_routes(authorise: Authorise) -> list[BaseRoute]:
    return [*probe_routes(), *admin_routes(authorise)]


def _graphql_results(routes: Sequence[BaseRoute]) -> CacheCounters | None:
    for route in routes:
        if isinstance(route, Route) and route.path == "/graphql":
            view = getattr(route.endpoint, "__self__", None)
            results: CacheCounters | None = getattr(view, "results", None)
            if results is not None:
                return results
    return None


def _state(scope: Scope) -> dict[str, Any]:
    """The entries of the application's ``state``. Read as attributes, each missing one (the
    web state before the first researcher request) costs a raised and caught AttributeError,
    at every request."""
    entries: dict[str, Any] = getattr(getattr(scope.get("app"), "state", None), "_state", {})
    return entries


def observe_middleware(settings: Settings, routes: Sequence[BaseRoute]) -> Middleware:
    """The outermost middleware: it sees every request, refusals of the guards included."""
    graphql = _graphql_results(routes)  # the routes' view, made once with the app
    fixed: tuple[tuple[str, CacheCounters], ...] = (
        () if graphql is None else (("graphql_results", graphql),)
    )

    def caches(scope: Scope) -> Iterable[tuple[str, CacheCounters]]:
        web = _state(scope).get("graphsvc_web")  # created on the first researcher request
        return fixed if web is None else (*fixed, ("sparql_results", web.results))

    def on_request_end(scope: Scope) -> None:
        feed = getattr(_state(scope).get("services"), "feed", None)
        if feed is not None:
            metrics.set_feed_revision(feed.delivered)

    return Middleware(
        Observe,
        access_log=settings.access_log,
        caches=caches,
        on_request_end=on_request_end,
    )


def _timed(
    part: str, listener: Callable[[frozenset[str]], None]
) -> Callable[[frozenset[str]], None]:
    histogram = metrics.REFRESH_SECONDS.labels(part)

    def timed(subjects: frozenset[str]) -> None:
        started = time.perf_counter()
        try:
            listener(subjects)
        finally:
            histogram.observe(time.perf_counter() - started)

    timed.__wrapped__ = listener  # type: ignore[attr-defined]  # what it times, for inspection
    return timed


def _part(position: int, listener: Any) -> str:
    if position == 0:
        return "read_model"  # registered first by open_services: the others read it
    owner = getattr(listener, "__self__", None)
    if owner is not None:
        name = type(owner).__name__
        return {"RecommendationIndex": "recommendation_index"}.get(name, name)
    return str(getattr(listener, "__name__", "listener")).strip("_<>")


def instrument(services: Any) -> None:
    """Time each refresh of the derived state that ``services`` registered at start-up, and
    record its builds and the change-feed revision."""
    services.listeners[:] = [
        _timed(_part(i, listener), listener) for i, listener in enumerate(services.listeners)
    ]
    metrics.BUILD_SECONDS.labels("read_model").set(services.read_model.build_seconds)
    if services.index is not None:
        metrics.BUILD_SECONDS.labels("recommendation_index").set(services.index.build_seconds)
    if services.feed is not None:
        metrics.set_feed_revision(services.feed.delivered)
