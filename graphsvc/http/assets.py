"""Front-end builds made by Vite (``frontend/<name>/dist``), served with long-lived caching.

``make`` builds each npm project under ``frontend/`` (``npm ci && npm run build``). Every file of
a build's ``assets/`` folder has a content hash in its name, so it is served as immutable for a
year; the pages that load them are not cached that way. :meth:`ViteBuild.entry` reads Vite's
manifest (``dist/.vite/manifest.json``) to name the files an entry point needs.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from graphsvc.errors import GraphsvcError
from graphsvc.settings import PROJECT_ROOT

__all__ = [
    "CONSOLES",
    "IMMUTABLE",
    "BuildMissingError",
    "EntryFiles",
    "ViteBuild",
]

IMMUTABLE = "public, max-age=31536000, immutable"
"""``Cache-Control`` of a content-hashed file: its name changes whenever its content does."""


class BuildMissingError(GraphsvcError):
    """A front-end build is absent or incomplete: ``make frontend`` makes it."""


@dataclass(frozen=True, slots=True)
class EntryFiles:
    """The URLs an entry point needs: module scripts, stylesheets and chunks to preload."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    preloads: tuple[str, ...] = ()


class ViteBuild:
    """One Vite build: its manifest (re-read when the build changes) and its asset files.

    ``prefix`` is the URL path the build was made for (Vite's ``base``), e.g.
    ``/static/consoles/``; :meth:`serve` answers ``{prefix}assets/<file>``.
    """

    def __init__(self, name: str, dist: Path, prefix: str) -> None:
        self.name = name
        self.dist = dist
        self.prefix = prefix
        self._lock = threading.Lock()
        self._manifest: tuple[int, dict[str, Any]] | None = None

    @property
    def manifest_path(self) -> Path:
        return self.dist / ".vite" / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """Vite's manifest, read again only when the file changed (a rebuild under ``make run``)."""
        try:
            changed = self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            raise BuildMissingError(
                f"frontend/{self.name} is not built ({self.manifest_path} is missing): run "
                "`make frontend`, which needs Node.js and npm"
            ) from None
        with self._lock:
            if self._manifest is None or self._manifest[0] != changed:
                data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                self._manifest = (changed, data)
            return self._manifest[1]

    def entry(self, source: str) -> EntryFiles:
        """The files entry ``source`` (its path in the project, e.g. ``src/sparql.js``) needs."""
        manifest = self.manifest()
        if source not in manifest:
            raise BuildMissingError(f"frontend/{self.name} has no entry {source}: rebuild it")
        scripts: list[str] = []
        styles: list[str] = []
        preloads: list[str] = []
        seen: set[str] = set()

        def visit(key: str, top: bool) -> None:
            if key in seen:
                return
            seen.add(key)
            chunk = manifest[key]
            file = self.prefix + chunk["file"]
            if file.endswith(".css"):
                styles.append(file)
            elif top:
                scripts.append(file)
            else:
                preloads.append(file)
            styles.extend(self.prefix + css for css in chunk.get("css", ()))
            for imported in chunk.get("imports", ()):
                visit(imported, top=False)

        visit(source, top=True)
        return EntryFiles(tuple(scripts), tuple(dict.fromkeys(styles)), tuple(preloads))

    def optional_entry(self, source: str) -> EntryFiles:
        """:meth:`entry`, or nothing when the build is missing (a page that works without it)."""
        try:
            return self.entry(source)
        except BuildMissingError:
            return EntryFiles()

    async def serve(self, request: Request) -> Response:
        """``{prefix}assets/<file>``: a content-hashed file, cacheable for a year."""
        name = request.path_params["path"]
        assets = (self.dist / "assets").resolve()
        path = (assets / name).resolve()
        if path.parent != assets or not path.is_file():
            return PlainTextResponse(
                f"not found: {self.prefix}assets/{name} is not a file of this build\n", 404
            )
        return FileResponse(path, headers={"Cache-Control": IMMUTABLE})


CONSOLES = ViteBuild(
    "consoles", PROJECT_ROOT / "frontend" / "consoles" / "dist", "/static/consoles/"
)
"""GraphiQL, the SPARQL editor and the style of the service's own pages."""
