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

from starlette.types import Send

from graphsvc.http.buckets import InFlight, TokenBuckets
from graphsvc.http.clients import client_identity
from graphsvc.http.cors import public_cors_headers
from graphsvc.settings import Settings

__all__ = ["ClientLimits", "Refusal"]

_PLAIN = b"text/plain; charset=utf-8"
_CORS = public_cors_headers(("Retry-After",))


class Refusal:
    """A ``429`` to send: why, and after how many seconds to retry."""

    __slots__ = ("reason", "retry_after")

    def __init__(self, reason: str, retry_after: int) -> None:
        self.reason = reason
        self.retry_after = retry_after

    async def __call__(self, send: Send) -> None:
        body = (self.reason + "\n").encode()
        headers = [
            (b"content-type", _PLAIN),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.retry_after).encode()),
            *_CORS,
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class ClientLimits:
    """Limit each client's requests to ``paths`` (exact, or prefixes when they end in ``/``).

    Used through :meth:`applies`, :meth:`admit` and :meth:`release` by the one middleware in
    front of the application (:class:`graphsvc.http.guards.Guard`).
    """

    def __init__(self, settings: Settings, paths: Iterable[str]) -> None:
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

    def applies(self, path: str) -> bool:
        return self.enabled and (path in self.exact or path.startswith(self.prefixes))

    def admit(self, key: str) -> Refusal | None:
        """Count a request of ``key``: None if it may go on (then :meth:`release` it when it
        ends), else the refusal to send."""
        wait = self.buckets.acquire(key)
        if wait > 0.0:
            retry = max(1, math.ceil(wait))
            return Refusal(
                f"too many requests from this address: at most {self.buckets.rate:g} per second "
                f"(bursts of {self.buckets.burst:g}); retry in {retry} s",
                retry,
            )
        if not self.in_flight.enter(key):
            return Refusal(
                f"too many requests from this address in progress: at most "
                f"{self.in_flight.limit} at once; wait for one to finish",
                1,
            )
        return None

    def release(self, key: str) -> None:
        self.in_flight.leave(key)
