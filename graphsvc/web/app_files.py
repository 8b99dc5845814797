"""The discovery app's files: ``frontend/app/dist`` (built by ``make``) served at ``/``.

=============================  =================================================================
``/assets/{name}``             built scripts and styles; their names carry a content hash, so
                               they are cached for a year (``immutable``)
``/``, ``/search``, ``/map``,  ``index.html``, revalidated on every use (``no-cache``): a new
``/my``, ``/practice/{id}``,   build is picked up at once. The app reads its state from the URL,
``/pes/{id}``, ``/theme/…``,   so each of its addresses answers with the same page.
``/event/…``, ``/project/…``
=============================  =================================================================

The app has only the paths above, so the service's own routes (``/graphql``, ``/sparql``,
``/id/…``, ``/export/…``, ``/dataset``, ``/healthz``, …) never meet it. Without a build, the app's
addresses answer ``503`` with a page that says how to build it. ``index.html`` gets its own
Content-Security-Policy: scripts, styles and requests from this origin only (the build has no
inline script).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from graphsvc.settings import PROJECT_ROOT

__all__ = ["APP_DIST", "APP_PATHS", "APP_POLICY", "AppFiles", "app_documents", "app_routes"]

log = logging.getLogger(__name__)

APP_DIST = PROJECT_ROOT / "frontend" / "app" / "dist"
"""Where ``npm run build`` in ``frontend/app`` writes the app."""

APP_DOCUMENTS = "persisted-documents.json"
"""The app's GraphQL operations, ``{"sha256:<hex>": text}``, written beside the build."""

APP_PATHS = (
    "/",
    "/search",
    "/map",
    "/my",
    "/practice/{id}",
    "/pes/{id}",
    "/theme/{id}",
    "/event/{id}",
    "/project/{id}",
)
"""The app's own addresses (its router knows the same list)."""

APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
_ASSET_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The app is not built</title></head>
<body><main>
<h1>The discovery app is not built</h1>
<p>This service serves its web app from <code>frontend/app/dist</code>, which does not exist yet.
Build it with <code>make frontend</code> (it needs Node.js 20 or later and npm), or run
<code>make run</code>, which builds it before it starts the service.</p>
<p>Meanwhile the data is at <a href="/graphql">/graphql</a>, <a href="/sparql">/sparql</a> and
<a href="/dataset">/dataset</a>.</p>
</main></body></html>
"""


@dataclass(frozen=True)
class _Index:
    mtime_ns: int
    body: bytes
    etag: str


class AppFiles:
    """Serves one build directory; ``index.html`` is re-read when its file changes."""

    def __init__(self, dist: Path = APP_DIST) -> None:
        self.dist = dist
        self._index: _Index | None = None

    def _read_index(self) -> _Index | None:
        path = self.dist / "index.html"
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._index
        if cached is None or cached.mtime_ns != mtime:
            body = path.read_bytes()
            cached = _Index(mtime, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            self._index = cached
        return cached

    async def index(self, request: Request) -> Response:
        """``index.html`` for every app address; a page that says how to build it if missing."""
        found = self._read_index()
        if found is None:
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
        headers = {
            "Cache-Control": "no-cache",
            "ETag": found.etag,
            "Content-Security-Policy": APP_POLICY,
        }
        if found.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(found.body, media_type="text/html; charset=utf-8", headers=headers)

    async def asset(self, request: Request) -> Response:
        """A built file by its hashed name; ``404`` for any other name."""
        name = request.path_params["name"]
        path = self.dist / "assets" / name
        if not _ASSET_NAME.match(name) or not path.is_file():
            return Response(f"No asset named {name!r}.", status_code=404, media_type="text/plain")
        return FileResponse(path, headers={"Cache-Control": IMMUTABLE})


def app_documents(dist: Path = APP_DIST) -> dict[str, str]:
    """The operations the built app sends, by hash; empty when there is no build.

    A file that is not a JSON object of strings is logged and left out: the app then registers
    its operations as any client does.
    """
    path = dist / APP_DOCUMENTS
    try:
        documents = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning(
            "%s is not readable JSON (%s): the app's operations are not trusted.", path, error
        )
        return {}
    if not isinstance(documents, dict) or not all(
        isinstance(key, str) and isinstance(text, str) for key, text in documents.items()
    ):
        log.warning("%s is not an object of texts: the app's operations are not trusted.", path)
        return {}
    return documents


def app_routes(dist: Path = APP_DIST) -> list[BaseRoute]:
    """The app's routes, to be listed after the service's own."""
    files = AppFiles(dist)
    return [
        Route("/assets/{name}", files.asset, methods=["GET"]),
        *(Route(path, files.index, methods=["GET"]) for path in APP_PATHS),
    ]
