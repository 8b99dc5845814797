"""Per-client counters in memory: token buckets for the request rate, and requests in flight.

Both are O(1) per request and allocate only for a client not seen before. Each worker process
keeps its own; behind several workers a client gets each worker's allowance.
"""

from __future__ import annotations

import time

__all__ = ["InFlight", "TokenBuckets"]


class TokenBuckets:
    """One token bucket per key: up to ``burst`` requests at once, refilled at ``rate`` per second.

    Kept as one number per key, the bucket's "theoretical arrival time" (the generic cell rate
    algorithm, which is a token bucket): the moment its next request would be on schedule. A
    request may come up to ``burst - 1`` intervals ahead of it. A bucket whose time has passed
    is full, and forgetting it changes nothing.

    A ``rate`` of 0 turns the limit off. Memory is bounded: when more than ``max_keys`` clients
    are tracked, a sweep forgets every full bucket, then, if a flood of clients keeps them all
    busy, the oldest until a quarter of the room is free. A sweep is O(keys) and comes at most
    once per ``max_keys / 4`` new clients, so the cost per request stays O(1) amortised.
    """

    __slots__ = ("_due", "burst", "interval", "max_keys", "rate", "tolerance")

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = float(rate)
        self.burst = max(1, burst)
        self.max_keys = max(4, max_keys)
        self.interval = 1.0 / self.rate if self.rate > 0 else 0.0
        self.tolerance = (self.burst - 1) * self.interval
        self._due: dict[str, float] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._due)

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        if now is None:
            now = time.monotonic()
        due = self._due.get(key)
        if due is None:
            if len(self._due) >= self.max_keys:
                self._sweep(now)
            due = now
        elif due < now:
            due = now
        wait = due - self.tolerance - now
        if wait > 0.0:
            return wait
        self._due[key] = due + self.interval
        return 0.0

    def _sweep(self, now: float) -> None:
        due = self._due
        for key in [k for k, when in due.items() if when <= now]:
            del due[key]
        excess = len(due) - self.max_keys * 3 // 4
        if excess > 0:  # dicts keep insertion order: these are the clients first seen
            for key in list(due)[:excess]:
                del due[key]


class InFlight:
    """Requests in progress per key, at most ``limit`` each (0: no limit).

    A key is dropped when its last request ends, so the table holds only clients with a
    request in progress; its size is bounded by the open connections.
    """

    __slots__ = ("_counts", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, key: str) -> int:
        return self._counts.get(key, 0)

    def enter(self, key: str) -> bool:
        """Count one more request for ``key``; False (and nothing counted) if it has ``limit``."""
        count = self._counts.get(key, 0)
        if self.limit and count >= self.limit:
            return False
        self._counts[key] = count + 1
        return True

    def leave(self, key: str) -> None:
        count = self._counts.get(key, 0) - 1
        if count > 0:
            self._counts[key] = count
        else:
            self._counts.pop(key, None)
