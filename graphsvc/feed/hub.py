"""Hands committed changes to the subscribers of this process, in revision order.

A subscriber is an asyncio queue on some event loop; :meth:`ChangeHub.publish` may be called from
any thread (a write commits in a worker thread) and posts to each loop with
``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from graphsvc.feed.changes import FeedChange

__all__ = ["ChangeHub"]


class ChangeHub:
    def __init__(self, queue_size: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._queues: dict[asyncio.Queue[FeedChange | None], asyncio.AbstractEventLoop] = {}
        self._queue_size = queue_size

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[FeedChange | None]]:
        """A queue that receives every change published while the block runs; ``None`` in it
        means the subscriber fell too far behind and must reconnect with its last revision."""
        queue: asyncio.Queue[FeedChange | None] = asyncio.Queue(self._queue_size)
        with self._lock:
            self._queues[queue] = asyncio.get_running_loop()
        try:
            yield queue
        finally:
            with self._lock:
                self._queues.pop(queue, None)

    def publish(self, change: FeedChange) -> None:
        with self._lock:
            targets = list(self._queues.items())
        for queue, loop in targets:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                loop.call_soon_threadsafe(_offer, queue, change)


def _offer(queue: asyncio.Queue[FeedChange | None], change: FeedChange) -> None:
    if queue.full():
        while not queue.empty():  # a subscriber this far behind gets told, not silently skipped
            queue.get_nowait()
        queue.put_nowait(None)
        return
    queue.put_nowait(change)
