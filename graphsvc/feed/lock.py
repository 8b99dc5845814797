"""One writer at a time across the worker processes of a host.

Revision numbers are read (the head) and written (head + 1) inside one commit, so commits must
not interleave. Within a process :attr:`graphsvc.services.Services.write_lock` orders them;
between processes sharing a remote store, an advisory lock on a file in the data directory
does. (Workers on different hosts would need the store itself to serialise them; see
docs/scaling.md.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["commit_lock"]


@contextlib.contextmanager
def commit_lock(path: Path | None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (``None``: a store only this process writes)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
