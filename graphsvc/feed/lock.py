"""One writer at a time across the worker processes of a host.

A write reads (to check, to mint an IRI, to take the next revision number) and then commits;
nothing may come between, in this process or in another worker. Within a process a re-entrant
lock orders writers; :class:`WriteLock` also holds an advisory ``flock`` on a file in the data
directory while any thread of the process holds it, so the workers sharing a store take turns
too. (Workers on different hosts would need the store itself to serialise them; see
docs/scaling.md.)
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

__all__ = ["WriteLock"]


class WriteLock:
    """A re-entrant lock that, with ``path``, is also exclusive across processes."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.local = threading.RLock()
        """The in-process part alone: for work that must not interleave with this process's
        writes but need not keep other processes waiting (following the feed)."""
        self._depth = 0
        self._fd: int | None = None

    def acquire(self) -> bool:
        self.local.acquire()
        try:
            if self._depth == 0 and self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
        except BaseException:
            self.local.release()
            raise
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing releases the flock
        self.local.release()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
