"""``POST /admin/backup``: an online backup taken by the service, which knows its store.

The embedded store has one writer, the running service, which holds RocksDB's lock; a
consistent backup that includes every acknowledged write must be taken by that process
(another process can only open the store read-only, and would miss what is still in the
write-ahead log). ``graphsvc backup DIR`` therefore asks the service when one runs. With
``serve --workers`` (or any remote Oxigraph store) the worker that answers reads the whole
dataset from the Oxigraph server in one consistent read and writes it into a new store
(:func:`graphsvc.store.backup.online_backup`).

The request needs an admin token (``Authorization: Bearer …``) and names a new directory on
the service's machine: ``{"directory": "/abs/path"}``. The answer says how many quads the
backup holds. Requests are answered one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from graphsvc.errors import GraphsvcError, InputError

__all__ = ["admin_routes"]

Authorise = Callable[[str | None], str | None]
"""The refusal message for an ``Authorization`` header value, or None for an admin."""


def _refusal(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def admin_routes(authorise: Authorise) -> list[BaseRoute]:
    one_at_a_time = anyio.Lock()

    async def backup_endpoint(request: Request) -> JSONResponse:
        refusal = authorise(request.headers.get("authorization"))
        if refusal is not None:
            return _refusal(401 if "authorization" not in request.headers else 403, refusal)
        try:
            payload = json.loads(await request.body())
            directory = Path(payload["directory"])
        except (ValueError, KeyError, TypeError):
            return _refusal(400, 'send {"directory": "/absolute/path/of/a/new/directory"}')
        if not directory.is_absolute():
            return _refusal(400, f"{directory}: give an absolute path")
        services: Any = request.app.state.services
        async with one_at_a_time:
            try:
                report = await anyio.to_thread.run_sync(_backup, services, directory)
            except InputError as exc:
                return _refusal(400, str(exc))
            except GraphsvcError as exc:
                return _refusal(409, str(exc))
        return JSONResponse(
            {
                "directory": str(report.directory),
                "quads": report.quads,
                "bytes": report.bytes,
                "seconds": round(report.seconds, 3),
            }
        )

    return [Route("/admin/backup", backup_endpoint, methods=["POST"])]


def _backup(services: Any, directory: Path) -> Any:
    from graphsvc.store.backup import online_backup

    # the embedded store: a checkpoint; the oxigraph server of `serve --workers` (or any
    # remote Oxigraph): one consistent read into a new store; Virtuoso: refused, saying what
    # to do instead. Neither stops the writes.
    return online_backup(services.store, directory)
