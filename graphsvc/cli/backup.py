"""``graphsvc backup DIR`` and ``graphsvc restore DIR``: online backups of the store.

With no service running, ``backup`` opens the embedded store and checkpoints it. While
``graphsvc serve`` runs, it holds the store (with ``--workers``, its ``oxigraph serve`` does),
so ``backup`` asks it to take the backup (``POST /admin/backup`` with an admin token from
``--token`` or ``GRAPHSVC_ADMIN_TOKEN``): a checkpoint of the embedded store, or one consistent
read of a remote Oxigraph server's whole dataset into a new store. Either holds every write
acknowledged before it, while the service goes on answering and writing. A service on a remote
store (``GRAPHSVC_STORE=sparql``) is always asked. ``restore`` needs the service stopped: it
replaces the embedded store's files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from graphsvc.cli.common import (
    BarPhases,
    Subparsers,
    progress_shown,
    settings_from_args,
    store_in_use,
    writer_running,
)
from graphsvc.errors import InputError, StoreError

if TYPE_CHECKING:  # imported when a command runs, not when the parser is built
    from graphsvc.settings import Settings
    from graphsvc.store.backup import BackupReport

__all__ = ["TOKEN_ENV", "register"]

TOKEN_ENV = "GRAPHSVC_ADMIN_TOKEN"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="take an online, consistent backup of the store into a new directory",
        description="Back the store up into DIR (a new directory), as a store that `graphsvc"
        " restore` accepts. While the service runs, the backup is taken by the service (an"
        f" admin token is needed: --token or {TOKEN_ENV}), also with `serve --workers` and"
        " on a remote Oxigraph server; otherwise this command checkpoints the embedded store.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument(
        "--url", help="the running service (default http://GRAPHSVC_HOST:GRAPHSVC_PORT)"
    )
    parser.add_argument("--token", help=f"an admin token (default: env {TOKEN_ENV})")
    parser.set_defaults(func=backup_command)

    rest = subparsers.add_parser(
        "restore",
        help="replace the embedded store by a backup (the service must be stopped)",
    )
    rest.add_argument("directory", type=Path, metavar="DIR")
    rest.set_defaults(func=restore_command)


def _embedded(settings: Settings, command: str) -> Path:
    if settings.store != "oxigraph":
        raise InputError(
            f"`graphsvc {command}` works on the embedded store (GRAPHSVC_STORE=oxigraph)"
            + (
                ""
                if command == "restore"
                else " or, through the running service, on a remote Oxigraph server"
                " (GRAPHSVC_STORE=sparql)"
            )
            + "; back up any other store with its server's own tools, or use `graphsvc export`"
        )
    return settings.store_path


def backup_command(args: argparse.Namespace) -> int:
    from graphsvc.store.backup import backup
    from graphsvc.store.oxigraph import OxigraphStore

    settings = settings_from_args(args)
    remote = settings.store == "sparql"  # only the service knows it: always asked
    path = settings.store_path if remote else _embedded(settings, "backup")
    target = args.directory.resolve()
    with BarPhases("backup", progress_shown(args)) as phases:
        tick = phases.start("backing up", None, "quad")
        if remote or store_in_use(path):
            report = _through_service(args, settings, target)
            how = "by the running service"
        else:
            if not (path / "CURRENT").is_file():
                raise StoreError(f"no store at {path} (nothing has been loaded yet)")
            store = OxigraphStore(path)
            try:
                report = backup(store, target)
            finally:
                store.close()
            how = "with no service running"
        tick(report.quads)
    print(
        f"backed up {report.quads} quads ({report.bytes / 1e6:.1f} MB) to {report.directory}"
        f" in {report.seconds:.2f} s, {how}"
    )
    return 0


def _through_service(args: argparse.Namespace, settings: Settings, target: Path) -> BackupReport:
    import httpx

    from graphsvc.store.backup import BackupReport

    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        held = (
            f"the store at {settings.sparql_query_url} is remote"
            if settings.store == "sparql"
            else f"the store at {settings.store_path} is held by a running service"
        )
        raise StoreError(
            f"{held}, so the backup must be taken by the running service: give an admin token (--token or {TOKEN_ENV}; create one"
            " with `graphsvc tokens create --role admin --name backups`)"
        )
    url = (args.url or f"http://{settings.host}:{settings.port}").rstrip("/")
    started = time.perf_counter()
    try:
        response = httpx.post(
            f"{url}/admin/backup",
            json={"directory": str(target)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=3600,
        )
    except httpx.HTTPError as exc:
        raise StoreError(
            f"the store is held by another process, and no service answers at {url}: {exc}"
            " (give --url if the service listens elsewhere)"
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        reason = body.get("error") if isinstance(body, dict) else None
        raise StoreError(
            f"the service at {url} refused the backup (HTTP {response.status_code}):"
            f" {reason or response.text.strip()}"
        )
    return BackupReport(
        Path(body["directory"]),
        int(body["quads"]),
        int(body["bytes"]),
        time.perf_counter() - started,
    )


def restore_command(args: argparse.Namespace) -> int:
    from graphsvc.store.backup import restore

    settings = settings_from_args(args)
    path = _embedded(settings, "restore")
    if store_in_use(path):
        raise writer_running(path, "restore")
    with BarPhases("restore", progress_shown(args)) as phases:
        tick = phases.start("restoring", None, "quad")
        report = restore(args.directory.resolve(), path)
        tick(report.quads)
    print(
        f"restored {report.quads} quads from {args.directory} into {path}"
        f" in {report.seconds:.2f} s",
        file=sys.stdout,
    )
    return 0
