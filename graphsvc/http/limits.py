"""Rate and concurrency limits per client on the researcher-facing routes, as ASGI middleware.

Placed outside the application's front door (:mod:`graphsvc.web.front`), so that every request
to a limited path is counted, a cached ``/sparql`` answer included. A refused request is
answered at once: ``429 Too Many Requests`` with ``Retry-After`` and a plain-text reason, which
any origin may read (these routes are public). The check is two dictionary lookups and a little
arithmetic; see :mod:`graphsvc.http.buckets`.

==============================  ==========================================  =========
setting                         limit                                       default
==============================  ==========================================  =========
``web_rate_per_address``        requests per second per client, refilled    50
``web_burst_per_address``       requests a client may send at once          200
``web_concurrency_per_address`` requests of one client in progress at once  8
``max_tracked_clients``         clients whose buckets are kept in memory    100,000
==============================  ==========================================  =========
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from graphsvc.http.buckets import InFlight, TokenBuckets
from graphsvc.http.clients import client_identity
from graphsvc.settings import Settings

__all__ = ["ClientLimits"]

_PLAIN = b"text/plain; charset=utf-8"


class ClientLimits:
    """Limit each client's requests to ``paths`` (exact, or prefixes when they end in ``/``)."""

    def __init__(self, app: ASGIApp, settings: Settings, paths: Iterable[str]) -> None:
        self.app = app
        self.identity = client_identity(settings)
        self.buckets = TokenBuckets(
            settings.web_rate_per_address,
            settings.web_burst_per_address,
            settings.max_tracked_clients,
        )
        self.in_flight = InFlight(settings.web_concurrency_per_address)
        paths = tuple(paths)
        self.exact = frozenset(p for p in paths if not p.endswith("/"))
        self.prefixes = tuple(p for p in paths if p.endswith("/"))
        self.enabled = self.buckets.enabled or self.in_flight.limit > 0

    def limits(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled or not self.limits(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = self.identity.key(scope)
        wait = self.buckets.acquire(key)
        if wait > 0.0:
            retry = max(1, math.ceil(wait))
            await _refuse(
                send,
                f"too many requests from this address: at most {self.buckets.rate:g} per second "
                f"(bursts of {self.buckets.burst:g}); retry in {retry} s",
                retry,
            )
            return
        in_flight = self.in_flight
        if not in_flight.enter(key):
            await _refuse(
                send,
                f"too many requests from this address in progress: at most {in_flight.limit} at "
                "once; wait for one to finish",
                1,
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            in_flight.leave(key)


async def _refuse(send: Send, reason: str, retry_after: int) -> None:
    body = (reason + "\n").encode()
    headers = [
        (b"content-type", _PLAIN),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
        (b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", b"Retry-After"),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
