"""Online backups of the store, and restoring one.

:func:`backup` asks RocksDB for a checkpoint (pyoxigraph's ``Store.backup``): a consistent copy
of the store as of one instant, taken while it goes on serving and writing. Every write
acknowledged before the call is in it. On the same file system the immutable table files are
hard links, so a backup costs little space until the store compacts them away.

:func:`online_backup` backs up whatever store a running service uses: the embedded store by a
checkpoint, a remote Oxigraph server (the ``oxigraph serve`` that ``serve --workers`` owns, or
any other) by one consistent read of its whole dataset written into a new on-disk store
(:mod:`graphsvc.store.snapshot`). Either way the backup is a store directory that
:func:`restore` accepts.

:func:`restore` replaces a store's directory by a copy of a backup, through the same two-rename
swap as the bulk loader (:mod:`graphsvc.store.bulk`): a crash leaves either store whole. The
store must be closed: its writer holds the directory.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from graphsvc.errors import InputError, StoreError
from graphsvc.store.base import GraphStore
from graphsvc.store.bulk import replace_directory
from graphsvc.store.oxigraph import OxigraphStore
from graphsvc.store.remote import RemoteSparqlStore
from graphsvc.store.snapshot import snapshot_backup

__all__ = ["BackupReport", "backup", "directory_size", "online_backup", "restore"]


@dataclass(frozen=True, slots=True)
class BackupReport:
    directory: Path
    quads: int
    bytes: int
    seconds: float


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _check_target(target: Path) -> None:
    if target.exists():
        raise InputError(f"{target}: already exists; a backup goes into a new directory")
    if not target.parent.is_dir():
        raise InputError(f"{target.parent}: no such directory")


def backup(store: OxigraphStore, target: Path) -> BackupReport:
    """Checkpoint the open on-disk ``store`` into the new directory ``target``."""
    if store.path is None:
        raise StoreError("an in-memory store has no files to back up; use `graphsvc export`")
    _check_target(target)
    started = time.perf_counter()
    try:
        store.raw.backup(str(target))
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(f"cannot back up the store into {target}: {exc}") from None
    quads = _count(target)
    return BackupReport(target, quads, directory_size(target), time.perf_counter() - started)


def online_backup(store: GraphStore, target: Path) -> BackupReport:
    """Back up the store a service runs on into the new directory ``target``, without
    stopping its writes: a checkpoint of an embedded store, a snapshot of a remote Oxigraph
    server. Raises :class:`~graphsvc.errors.StoreError` for a store that cannot be backed up
    this way (in memory, Virtuoso), saying what to do instead."""
    if isinstance(store, OxigraphStore):
        return backup(store, target)
    if isinstance(store, RemoteSparqlStore):
        _check_target(target)
        quads, seconds = snapshot_backup(store, target)
        return BackupReport(target, quads, directory_size(target), seconds)
    raise StoreError(f"a {store.kind} store cannot be backed up online; use `graphsvc export`")


def _count(directory: Path) -> int:
    try:
        copy = pyoxigraph.Store.read_only(str(directory))
    except OSError as exc:
        raise StoreError(f"{directory} is not a readable store backup: {exc}") from None
    try:
        return len(copy)
    finally:
        del copy


def restore(source: Path, store_path: Path) -> BackupReport:
    """Replace the (closed) store at ``store_path`` by a copy of the backup in ``source``."""
    if not (source / "CURRENT").is_file():
        raise InputError(f"{source}: not a store backup (no CURRENT file)")
    started = time.perf_counter()
    quads = _count(source)
    staging = store_path.with_name(store_path.name + ".restore")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(source, staging)  # a copy: the backup stays usable after the restore
        opened = pyoxigraph.Store(str(staging))  # replays its log, proves it opens for writing
        opened.flush()
        del opened
        store_path.parent.mkdir(parents=True, exist_ok=True)
        replace_directory(store_path, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    OxigraphStore(store_path).close()  # opens as the service will, finishing any swap
    return BackupReport(
        store_path, quads, directory_size(store_path), time.perf_counter() - started
    )
