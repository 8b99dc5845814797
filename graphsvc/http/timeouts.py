"""Slow clients are cut off: uvicorn's HTTP/1.1 protocol with a header and a body time-out.

uvicorn closes a keep-alive connection that stays idle, but it waits forever for a request head
that is still arriving, and for a body that has stalled: a few hundred connections sending one
byte every few seconds ("slowloris") would hold the server's sockets without any request ever
reaching the application. :func:`timed_protocol` builds a subclass of uvicorn's httptools
protocol that adds two deadlines:

- **head** (``GRAPHSVC_HEADER_TIMEOUT``): from the connection's start, or from the first byte of
  a later request on it, the request line and headers must be complete within this many
  seconds. A connection that has sent nothing is closed; one with a partial head gets ``408``
  and is closed.
- **body** (``GRAPHSVC_BODY_TIMEOUT``): once the head is in, the whole body must arrive within
  this many seconds. If it does not, the client gets ``408`` (unless a response has started)
  and the connection is closed; the application sees the client disconnect.

Both are whole-phase deadlines, not idle timers, so a drip of one byte at a time does not
renew them. 0 turns one off.

A request only writes its deadlines down (a float per phase); one :class:`_Watchdog` per event
loop walks the open connections a few times per deadline and cuts off the late ones, so a
deadline is enforced within a quarter of its length (at most one second) after it passes. A
timer armed and cancelled per request would cost more: asyncio keeps each cancelled timer in
its heap until it would have fired, about 120,000 of them at 12,000 requests per second with
a 10 s deadline, and the repeated ``/sparql`` answers lost 17–20% of their throughput to it.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from graphsvc.settings import Settings

__all__ = ["TimedHttpToolsProtocol", "timed_protocol", "uvicorn_options"]


def _timeout_response(reason: str) -> bytes:
    body = (reason + "\n").encode()
    return (
        b"HTTP/1.1 408 Request Timeout\r\n"
        b"content-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + body
    )


class _Watchdog:
    """The connections of one event loop that have a deadline, checked every ``period`` s.

    Holds neither the loop nor the connections strongly: a server that stops leaves nothing
    behind here."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.connections: weakref.WeakSet[TimedHttpToolsProtocol] = weakref.WeakSet()
        self.ticking = False

    def watch(self, connection: TimedHttpToolsProtocol) -> None:
        self.connections.add(connection)
        if not self.ticking:
            self.ticking = True
            connection.loop.call_later(self.period, self.tick, connection.loop)

    def forget(self, connection: TimedHttpToolsProtocol) -> None:
        self.connections.discard(connection)

    def tick(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for connection in [c for c in self.connections if c.late(now)]:
            connection.cut_off(now)
        self.ticking = bool(self.connections)
        if self.ticking:
            loop.call_later(self.period, self.tick, loop)


_watchdogs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, _Watchdog]] = (
    weakref.WeakKeyDictionary()
)


def _watchdog(loop: asyncio.AbstractEventLoop, period: float) -> _Watchdog:
    """The watchdog of ``loop`` for deadlines checked every ``period`` s."""
    per_loop = _watchdogs.setdefault(loop, {})
    watchdog = per_loop.get(period)
    if watchdog is None:
        watchdog = per_loop[period] = _Watchdog(period)
    return watchdog


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with the head and body deadlines of :mod:`this module <.>`."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_due: float | None = None  # a head has started and must be in by then
        self._body_due: float | None = None
        self._in_head = False  # bytes of a request head have arrived, the head is not complete
        self._body_pending = False  # the head is complete, the body is not
        timeouts = [t for t in (self.header_timeout, self.body_timeout) if t > 0]
        self._watchdog = (
            _watchdog(self.loop, min(1.0, max(0.05, min(timeouts) / 4))) if timeouts else None
        )

    def late(self, now: float) -> bool:
        head, body = self._head_due, self._body_due
        return (head is not None and now >= head) or (body is not None and now >= body)

    def cut_off(self, now: float) -> None:
        """Close the connection whose head or body is late, with a ``408`` if it can have one."""
        if self._head_due is not None and now >= self._head_due:
            self._head_due = None
            self._head_expired()
        elif self._body_due is not None and now >= self._body_due:
            self._body_due = None
            self._body_expired()

    # -- the head --------------------------------------------------------------------------

    def _arm_head(self) -> None:
        if self.header_timeout > 0 and self._head_due is None:
            self._head_due = self.loop.time() + self.header_timeout

    def _head_expired(self) -> None:
        if self.transport.is_closing():
            return
        if self._in_head:
            self.transport.write(
                _timeout_response(
                    f"the request head (request line and headers) did not arrive within "
                    f"{self.header_timeout:g} s"
                )
            )
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self._watchdog is not None:
            self._watchdog.watch(self)
        self._arm_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._arm_head()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_due = None
        self._body_pending = True
        super().on_headers_complete()

    # -- the body --------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._body_pending and self._body_due is None and self.body_timeout > 0:
            self._body_due = self.loop.time() + self.body_timeout

    def on_message_complete(self) -> None:
        self._body_pending = False
        self._body_due = None
        super().on_message_complete()

    def _body_expired(self) -> None:
        if not self._body_pending or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            self.transport.write(
                _timeout_response(f"the request body did not arrive within {self.body_timeout:g} s")
            )
        if cycle is not None:
            # the application reads a disconnect; whatever it sends now is dropped
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_due = self._body_due = None
        if self._watchdog is not None:
            self._watchdog.forget(self)
        super().connection_lost(exc)


def timed_protocol(settings: Settings) -> type[TimedHttpToolsProtocol]:
    """The protocol class for uvicorn's ``http=``, with ``settings``' time-outs."""
    return type(
        "TimedHttpToolsProtocol",
        (TimedHttpToolsProtocol,),
        {"header_timeout": settings.header_timeout, "body_timeout": settings.body_timeout},
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` that every server here uses.

    uvicorn's own proxy-header handling is turned off: by default it believes
    ``X-Forwarded-For`` from 127.0.0.1, which lets any local process, or a proxy that passes
    the header through, choose its address. :mod:`graphsvc.http.clients` decides instead.
    """
    return {"http": timed_protocol(settings), "proxy_headers": False}
