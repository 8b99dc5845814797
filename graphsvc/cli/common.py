"""Helpers shared by the sub-commands: settings, opening the store, progress bars, choices.

Every command module imports this one to register its sub-commands, so it imports nothing
heavy itself: the store, tqdm and the settings are imported when a command uses them.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from graphsvc.errors import StoreError

if TYPE_CHECKING:
    from tqdm import tqdm

    from graphsvc.settings import Settings
    from graphsvc.store import GraphStore

__all__ = [
    "BarPhases",
    "CountingWriter",
    "LazyChoices",
    "Subparsers",
    "open_cli_store",
    "progress_bar",
    "progress_shown",
    "settings_from_args",
    "store_in_use",
    "writer_running",
]

Subparsers = Any  # argparse's _SubParsersAction is private


class LazyChoices(Sequence[str]):
    """The ``choices`` of an argument, computed by ``load`` the first time argparse looks at them
    (to check a value, or to list them in an error or the command's help): a table owned by a
    heavy module is imported by the command that uses it, not by building the parser. Give the
    argument a ``metavar``: without one, argparse lists the choices as the argument is added."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._names: tuple[str, ...] | None = None

    def _choices(self) -> tuple[str, ...]:
        if self._names is None:
            self._names = tuple(self._load())
        return self._names

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._choices()[index]

    def __len__(self) -> int:
        return len(self._choices())

    def __contains__(self, value: object) -> bool:
        return value in self._choices()


def settings_from_args(args: argparse.Namespace) -> Settings:
    from graphsvc.settings import Settings

    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else None
    return (
        Settings.from_env()
        .with_overrides(data_dir=data_dir, store=getattr(args, "store", None))
        .validate()
    )


def store_in_use(path: Path) -> bool:
    """Whether another process holds RocksDB's lock on the store at ``path`` (a running
    ``graphsvc serve``, say). Testing the lock does not take it."""
    lock = path / "LOCK"
    try:
        handle = lock.open("rb")
    except OSError:
        return False  # no store yet, or unreadable: opening it will say so
    with handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return False


def writer_running(path: Path, command: str) -> StoreError:
    """The error for a command that must write a store that a running service holds."""
    return StoreError(
        f"the store at {path} is open in another process, most likely a running"
        f" `graphsvc serve`. The embedded store has a single writer, which holds its lock"
        f" while it runs, so `graphsvc {command}` cannot write it: stop the service, run"
        f" `graphsvc {command}`, then start the service again (`stats`, `export`, `validate`"
        f" and `backup` work while it runs)"
    )


@contextlib.contextmanager
def open_cli_store(
    args: argparse.Namespace, *, read_only: bool = False, command: str | None = None
) -> Iterator[GraphStore]:
    """The store the settings name. ``read_only``: the embedded store opens without its lock,
    so that it can be read beside a running service (or on a read-only disk)."""
    settings = settings_from_args(args)
    name: str = command or str(getattr(args, "command", "graphsvc"))
    store: GraphStore
    if settings.store == "oxigraph" and read_only:
        from graphsvc.store.oxigraph import OxigraphStore
        from graphsvc.store.readonly import ReadOnlyOxigraphStore

        if (settings.store_path / "CURRENT").is_file():
            store = ReadOnlyOxigraphStore(settings.store_path)
        else:  # nothing loaded yet: an empty dataset, and no store created as a side effect
            store = OxigraphStore(None)
    elif settings.store == "oxigraph" and store_in_use(settings.store_path):
        raise writer_running(settings.store_path, name)
    else:
        from graphsvc.store import open_store

        store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def progress_shown(args: argparse.Namespace) -> bool | None:
    """tqdm's ``disable``: bars on a terminal, or always with ``--progress``, never with
    ``--no-progress``; quiet when standard error is piped."""
    choice = getattr(args, "progress", None)
    if choice is None:
        return None if sys.stderr.isatty() else True
    return not choice


@contextlib.contextmanager
def progress_bar(
    total: int | None, description: str, unit: str = "file", disable: bool | None = None
) -> Iterator[tqdm[Any]]:
    """A progress bar on stderr with a count and a rate; hidden when output is not a terminal."""
    from tqdm import tqdm

    with tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=unit == "B",
        leave=False,
        disable=disable,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar


class BarPhases:
    """:class:`graphsvc.store.loading.Phases` as one progress bar per phase, each closed when
    the next begins; warnings are printed between them."""

    def __init__(self, command: str, disable: bool | None) -> None:
        self.command = command
        self.disable = disable
        self._bar: tqdm[Any] | None = None

    def start(self, name: str, total: int | None, unit: str) -> Callable[[int], object]:
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(
            total=total,
            desc=name,
            unit=unit,
            unit_scale=unit == "B",
            leave=True,
            disable=self.disable,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        return self._bar.update

    def warn(self, message: str) -> None:
        line = f"graphsvc {self.command}: warning: {message}"
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> BarPhases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CountingWriter:
    """A binary stream that counts what passes through it into ``tick`` (a progress bar)."""

    def __init__(self, target: IO[bytes], tick: Callable[[int], object]) -> None:
        self.target = target
        self.tick = tick

    def write(self, data: bytes) -> int:
        written = self.target.write(data)
        self.tick(len(data))
        return written

    def flush(self) -> None:
        self.target.flush()
