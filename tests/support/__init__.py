"""What the tests share, imported as ``support`` (``tests/`` is on the path through conftest).

- :mod:`support.servers`: real processes and sockets: ``free_port``, ``wait_until``,
  ``OxigraphServer`` / ``run_oxigraph_server`` (``oxigraph serve``), ``RunningApp`` / ``run_app``
  (the application under uvicorn on a loopback port).
- :mod:`support.inprocess`: ``LocalApp`` / ``open_app``: the application in this process, its
  lifespan run as uvicorn runs it and its requests sent through httpx's ``ASGITransport``; the
  choice wherever a socket is not the point.
- :mod:`support.fixtures`: the pytest fixtures every test may take (stores, settings,
  ``serve_app``, ``local_app``, ``oxigraph_server``, ``project_copy``); registered by
  ``tests/conftest.py``.
- :mod:`support.profiles`: the Hypothesis profiles (``default``, ``thorough``).

Both app kinds offer ``settings``, ``base_url``, ``state``, ``services`` and ``client()``, so a
helper typed ``App`` takes either.
"""

from __future__ import annotations

from typing import TypeAlias

from .inprocess import LocalApp, open_app, open_asgi
from .servers import OxigraphServer, RunningApp, free_port, run_app, run_oxigraph_server, wait_until

__all__ = [
    "App",
    "LocalApp",
    "OxigraphServer",
    "RunningApp",
    "free_port",
    "open_app",
    "open_asgi",
    "run_app",
    "run_oxigraph_server",
    "wait_until",
]

App: TypeAlias = LocalApp | RunningApp
"""Either kind of running application."""
