"""Oxigraph's bulk loader, all of it or nothing: ``graphsvc load --bulk``.

The bulk loader writes straight into RocksDB's files, outside any transaction: a syntax error in
the third file would leave the first two loaded. So the files are loaded into a staging copy of
the store (a RocksDB checkpoint beside it: hard links, not a copy), which replaces the store only
once every file has loaded. The store stays locked until the staging copy has taken its place; a
failure removes the staging copy and leaves the store as it was.

Swapping is two renames: ``store`` to ``store.replaced``, then ``store.bulk`` to ``store``. A
crash between them leaves no ``store``; :func:`finish_interrupted_swap`, called whenever an
embedded store opens (:class:`~graphsvc.store.oxigraph.OxigraphStore`), puts
``store.replaced`` back (the load is lost, the data is not), or removes it once the swap has
completed.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph
from pyoxigraph import NamedNode, Quad

from graphsvc.errors import InputError
from graphsvc.store.formats import format_for_path
from graphsvc.store.oxigraph import OxigraphStore, finish_interrupted_swap, replaced_path
from graphsvc.store.parse_errors import rdf_input_error
from graphsvc.vocab import BASE

__all__ = ["BulkReport", "bulk_load", "bulk_write", "replace_directory"]


@dataclass(frozen=True, slots=True)
class BulkReport:
    added: int  # quads the store did not hold before
    graphs: tuple[str, ...]  # every named graph of the store after the load


def _staging(path: Path) -> Path:
    return path.with_name(path.name + ".bulk")


def _load_into(store: pyoxigraph.Store, files: Sequence[Path], graph: NamedNode | None) -> None:
    for path in files:
        fmt = format_for_path(path)
        try:
            with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
                source = cast(IO[bytes], handle)
                store.bulk_load(source, fmt.rdf_format, base_iri=BASE, to_graph=graph)
        except (SyntaxError, OSError, EOFError) as exc:
            raise rdf_input_error(path, exc) from None


def _report(store: pyoxigraph.Store, before: int) -> BulkReport:
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    return BulkReport(len(store) - before, tuple(graphs))


def bulk_load(
    store: OxigraphStore,
    files: Sequence[Path],
    graph: NamedNode | None,
    progress: Callable[[int], object] | None = None,
) -> BulkReport:
    """Bulk-load ``files`` (into ``graph`` if given) into ``store``: every file or none.

    An on-disk ``store`` is closed on return, success or not: its directory may now hold
    another store. Raises :class:`~graphsvc.errors.RdfSyntaxError` naming the file that failed
    (file:line:column for a syntax error). ``progress(n)`` hears of each file's bytes.
    """

    def fill(target: pyoxigraph.Store) -> None:
        for path in files:
            _load_into(target, [path], graph)
            if progress:
                progress(path.stat().st_size)

    return _staged(store, fill)


def bulk_write(store: OxigraphStore, quads: Iterable[Quad]) -> BulkReport:
    """Add ``quads`` (already parsed and validated) with the bulk loader: all of them or none.

    The same staging copy as :func:`bulk_load`, so an on-disk ``store`` is closed on return.
    Twice as fast as one transaction for a large load (Oxigraph's transactional ``extend``
    buffers the whole change before it commits).
    """
    return _staged(store, lambda target: target.bulk_extend(quads))


def _staged(store: OxigraphStore, fill: Callable[[pyoxigraph.Store], None]) -> BulkReport:
    before = len(store)
    if store.path is None:  # in memory, nothing outlives the process: load in place
        fill(store.raw)
        store.mark_changed()
        return _report(store.raw, before)

    path = store.path
    staging = _staging(path)
    shutil.rmtree(staging, ignore_errors=True)  # left by a load that crashed
    try:
        store.raw.backup(str(staging))
        staged = pyoxigraph.Store(str(staging))
        try:
            fill(staged)
            staged.flush()
            report = _report(staged, before)
        finally:
            del staged  # closes it, releasing its lock
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        store.close()
        raise
    # RocksDB names its files by path: a store renamed while open would go on writing into
    # whatever then has its name. So it closes first.
    store.close()
    try:
        replace_directory(path, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def replace_directory(path: Path, staging: Path) -> None:
    """Put the store in ``staging`` in place of the closed store at ``path`` (if any).

    RocksDB's own lock is taken back, by hand, for the two renames; if another process holds
    it, nothing changes (:class:`InputError`). A failure between the renames puts the old store
    back."""
    if not path.exists():
        staging.rename(path)
        return
    try:
        with _locked(path / "LOCK") as held:
            if not held:
                raise InputError(
                    f"{path} is open in another process (a running service?); nothing was "
                    "changed, retry when it has closed"
                )
            path.rename(replaced_path(path))
            staging.rename(path)
    except BaseException:
        finish_interrupted_swap(path)  # if the first rename happened, the store comes back
        raise
    shutil.rmtree(replaced_path(path))


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[bool]:
    """RocksDB's directory lock (a POSIX record lock on ``LOCK``), if no one holds it."""
    with lock_file.open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)
