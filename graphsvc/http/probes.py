"""``/readyz`` and ``/metrics``: what an orchestrator and a Prometheus server ask.

``/healthz`` says the process answers. ``/readyz`` says this worker should receive traffic:
its data is loaded (the lifespan finished: store open, read model and index built), the store
answers a query, and — when other processes may write the store — it has followed the change
feed recently (within :func:`freshness_budget`). Otherwise ``503`` with the reasons.
"""

from __future__ import annotations

import time
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from graphsvc.http import metrics

__all__ = ["freshness_budget", "probe_routes", "readiness"]


def freshness_budget(poll_interval: float) -> float:
    """How long after its last poll of the change feed a worker still counts as fresh."""
    return max(2.0, 10 * poll_interval)


def readiness(services: Any) -> tuple[bool, dict[str, Any]]:
    """Whether ``services`` (a :class:`graphsvc.services.Services` or None) is ready, and why."""
    if services is None:
        return False, {"status": "starting", "problems": ["the data is not loaded yet"]}
    problems: list[str] = []
    body: dict[str, Any] = {"store": services.store.kind}
    try:
        services.store.query("ASK { ?s ?p ?o }")
    except Exception as exc:  # the store is unreachable or closed: not ready, whatever the cause
        problems.append(f"the store does not answer: {exc}")
    feed = services.feed
    if feed is not None:
        body["revision"] = feed.delivered
        if feed.shared:
            budget = freshness_budget(services.settings.feed_poll_interval)
            if feed.last_poll is None:
                problems.append("the change feed has not been read yet")
            else:
                age = time.monotonic() - feed.last_poll
                body["feed_age_seconds"] = round(age, 3)
                if age > budget:
                    problems.append(
                        f"the change feed was last read {age:.1f} s ago (budget {budget:.1f} s)"
                    )
    body["status"] = "ready" if not problems else "not ready"
    if problems:
        body["problems"] = problems
    return not problems, body


async def readyz(request: Request) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    ready, body = await anyio.to_thread.run_sync(readiness, services)
    return JSONResponse(
        body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"}
    )


async def metrics_endpoint(request: Request) -> Response:
    body = await anyio.to_thread.run_sync(metrics.render)
    return Response(body, media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def probe_routes() -> list[BaseRoute]:
    return [
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
