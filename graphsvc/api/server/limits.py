"""Protection of the GraphQL endpoint: the limits, the deadline and the request rate.

Every limit answers with a GraphQL error whose ``extensions.code`` names it, never with a 500:

========================  ==================================  ===============================
code                      limit                               setting
========================  ==================================  ===============================
``MAX_TOKENS_EXCEEDED``   lexical tokens of the document      ``max_query_tokens``
``MAX_DEPTH_EXCEEDED``    nesting of fields                   ``max_query_depth``
``MAX_ALIASES_EXCEEDED``  aliased fields                      ``max_query_aliases``
``MAX_REPEATS_EXCEEDED``  fields sharing one response key     ``max_field_repeats``
``MAX_COST_EXCEEDED``     estimated fields to resolve         ``max_query_cost``
``TIMEOUT``               wall time of one execution          ``request_timeout``
``RATE_LIMITED``          requests per token or per address   ``rate_per_*``, ``burst_per_*``
========================  ==================================  ===============================

Depth, aliases and repeats are measured by :mod:`graphsvc.api.server.shape` and cached with the
document. The cost (:mod:`graphsvc.api.server.cost`) depends on variables (``first: $n``) and is
computed per operation and page sizes, then cached. The request rate is counted per token or
per address by :class:`graphsvc.http.buckets.TokenBuckets`, the buckets of every route.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from graphsvc.errors import LimitExceeded

__all__ = [
    "Deadline",
    "RequestTimeout",
    "limit_error",
]


class RequestTimeout(LimitExceeded):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request took longer than {seconds:g} s and was stopped; "
            "ask for fewer items or fewer fields.",
            "TIMEOUT",
        )


def limit_error(message: str, code: str, node: Any = None) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


# -- time ------------------------------------------------------------------------------------


class Deadline:
    """An abort signal for graphql-core that fires when the request's time is up.

    graphql-core polls ``aborted`` at field boundaries and awaits ``wait()`` beside each
    asynchronous resolver, so both slow synchronous work and hanging awaits are cut off.

    A write asks :meth:`begin_commit` right before it commits, from its worker thread: either the
    time is up and the write must not happen, or the deadline is disarmed for the rest of the
    operation, so that a write that commits is always answered as done.

    It also paces synchronous execution: :meth:`slice_over` tells when the request's work in the
    current turn of the event loop has lasted :attr:`SLICE` seconds; the executor then defers
    the rest (:meth:`later`), so one request never holds a turn of the loop much longer than a
    slice.
    """

    __slots__ = (
        "clock",
        "countdown",
        "deferred",
        "disarmed",
        "expires",
        "fired",
        "lock",
        "seconds",
        "started",
        "turn_pending",
    )

    CHECK_EVERY = 16
    """:meth:`checkpoint` reads the clock on its first call and then every this many calls."""

    SLICE = 0.005
    """The longest stretch of synchronous execution between two turns of the event loop."""

    HOLD = 0.02
    """The longest a compiled plan (which cannot hand the loop over) may run; then it gives up."""

    def __init__(self, seconds: float) -> None:
        """``seconds`` of 0 (or less) is no time limit: only the pacing applies."""
        self.seconds = seconds
        self.started = self.clock = time.monotonic()
        self.expires = self.started + seconds if seconds > 0 else math.inf
        self.fired = False
        self.disarmed = False
        self.countdown = 1
        self.lock = threading.Lock()
        self.turn_pending = False
        self.deferred: deque[tuple[asyncio.Future[Any], Callable[[], Any]]] = deque()

    def checkpoint(self) -> bool:
        """``aborted``, reading the clock only every :attr:`CHECK_EVERY` calls (one per object)."""
        self.countdown -= 1
        if self.countdown > 0:
            return self.fired
        self.countdown = self.CHECK_EVERY
        return self.aborted

    @property
    def aborted(self) -> bool:
        if self.fired or self.disarmed:
            return self.fired
        self.clock = time.monotonic()
        if self.clock >= self.expires:
            with self.lock:
                self.fired = not self.disarmed
        return self.fired

    def slice_over(self) -> bool:
        """Has this turn's work lasted :attr:`SLICE` (as of the last clock read)?"""
        return self.clock - self.started >= self.SLICE

    def held_too_long(self) -> bool:
        """Has this turn lasted :attr:`HOLD` (as of the last clock read)?"""
        return self.clock - self.started >= self.HOLD

    def later(self, work: Callable[[], Any]) -> asyncio.Future[Any]:
        """Run ``work`` in a later turn of the event loop; its result (or error) in a future.

        Deferred work waits in one queue per request. Each later turn runs from the queue, in
        order, until the turn has lasted :attr:`SLICE`, and leaves the rest to the turn after:
        however many branches of the request were deferred, it holds a turn for about a slice.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.deferred.append((future, work))
        if not self.turn_pending:
            self.turn_pending = True
            loop.call_soon(self._turn)
        return future

    def _turn(self) -> None:
        self.started = self.clock = time.monotonic()
        deferred = self.deferred
        while deferred:
            future, work = deferred.popleft()
            if future.cancelled():
                continue
            if self.aborted:
                future.set_exception(self.reason)
                continue
            try:
                future.set_result(work())
            except Exception as error:
                future.set_exception(error)
            self.clock = time.monotonic()
            if self.clock - self.started >= self.SLICE:
                break
        self.turn_pending = bool(deferred)
        if deferred:
            asyncio.get_running_loop().call_soon(self._turn)

    def begin_commit(self) -> bool:
        """May a write commit now? False once the time is up; True disarms the deadline."""
        with self.lock:
            if self.disarmed:  # an earlier write of the operation committed: so may this one
                return True
            if not self.fired and time.monotonic() < self.expires:
                self.disarmed = True
            else:
                self.fired = True
            return self.disarmed

    @property
    def reason(self) -> RequestTimeout:
        return RequestTimeout(self.seconds)

    async def wait(self) -> RequestTimeout:
        if self.expires == math.inf:
            await asyncio.get_running_loop().create_future()  # never fires
        remaining = self.expires - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
        with self.lock:
            # the event loop may wake a timer up to its clock resolution early: once this
            # returns, the signal must read as aborted, or graphql-core asks for a result that
            # is not there
            self.fired = not self.disarmed
        if self.disarmed:  # a write has committed: let the operation finish
            await asyncio.get_running_loop().create_future()
        return self.reason
