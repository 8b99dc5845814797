"""The application in this process, without a socket: httpx's ``ASGITransport`` over its lifespan.

:func:`open_app` starts ``create_app(settings)`` the way uvicorn does (the ASGI lifespan, through
``asgi_lifespan.LifespanManager``) on an event loop of its own thread, and :meth:`LocalApp.client`
gives a synchronous ``httpx.Client`` whose requests go through ``httpx.ASGITransport`` on that
loop: every request runs the production middleware, routes and GraphQL view, concurrent requests
from several threads run concurrently on the one loop, as under uvicorn. What it does not have is
HTTP framing: header and body time-outs, connection handling and slow clients need
:func:`support.servers.run_app`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.datastructures import State

from graphsvc.app import create_app
from graphsvc.services import Services
from graphsvc.settings import Settings

__all__ = ["BASE_URL", "LocalApp", "open_app", "open_asgi"]

BASE_URL = "http://127.0.0.1"
"""Where the in-process app appears to be; requests come from ``127.0.0.1`` too, as on loopback."""


class _PortalTransport(httpx.BaseTransport):
    """A synchronous transport that sends each request through ``ASGITransport`` on the portal's
    loop and hands back the whole response."""

    def __init__(self, portal: BlockingPortal, transport: httpx.ASGITransport) -> None:
        self._portal = portal
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a byte stream the loop can read, whatever the body was made of
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        body = b"".join([part async for part in response.aiter_raw()])
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
        )


@dataclass
class LocalApp:
    """An application running in this process (see :func:`open_app`); the interface of
    :class:`support.servers.RunningApp` less the server."""

    settings: Settings
    app: Starlette
    portal: BlockingPortal
    base_url: str = BASE_URL

    @property
    def state(self) -> State:
        """The application's ``app.state`` (services, web state)."""
        return self.app.state

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def client(self, timeout: float = 30.0) -> httpx.Client:
        """A client of the app; close it (``with``) when done."""
        transport = httpx.ASGITransport(
            app=self.app,
            raise_app_exceptions=False,  # a failing handler answers 500, as under uvicorn
            client=("127.0.0.1", 50000),
        )
        return httpx.Client(
            transport=_PortalTransport(self.portal, transport),
            base_url=self.base_url,
            timeout=timeout,
        )


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette, startup_timeout: float) -> AsyncIterator[None]:
    # made on the loop: the manager finds its async library when it is made
    async with LifespanManager(app, startup_timeout=startup_timeout, shutdown_timeout=60):
        yield


@contextlib.contextmanager
def open_asgi(
    app: Starlette, settings: Settings, startup_timeout: float = 120.0
) -> Iterator[LocalApp]:
    """Run ``app``'s lifespan on a loop of its own thread; stop it (and the loop) on exit."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_lifespan(app, startup_timeout)),
    ):
        yield LocalApp(settings, app, portal)


@contextlib.contextmanager
def open_app(settings: Settings, startup_timeout: float = 120.0) -> Iterator[LocalApp]:
    """``create_app(settings)`` in this process, started and stopped through its lifespan."""
    with open_asgi(create_app(settings), settings, startup_timeout) as local:
        yield local
