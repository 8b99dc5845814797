"""Per-client counters in memory: token buckets for the request rate, and requests in flight.

Both are O(1) per request and allocate only for a client not seen before. Each worker process
keeps its own; behind several workers a client gets each worker's allowance.
"""

from __future__ import annotations

import time

__all__ = ["InFlight", "TokenBuckets"]


class TokenBuckets:
    """One token bucket per key: up to ``burst`` requests at once, refilled at ``rate`` per second.

    A ``rate`` of 0 turns the limit off. Memory is bounded: when more than ``max_keys`` clients
    are tracked, a sweep forgets every bucket that has refilled (forgetting it changes nothing),
    then, if a flood of clients keeps them all busy, the oldest until a quarter of the room is
    free. A sweep is O(keys) and comes at most once per ``max_keys / 4`` new clients, so the
    cost per request stays O(1) amortised.
    """

    __slots__ = ("_buckets", "burst", "max_keys", "rate")

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = float(rate)
        self.burst = float(max(1, burst))
        self.max_keys = max(4, max_keys)
        self._buckets: dict[str, list[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else the seconds to wait."""
        rate = self.rate
        if rate <= 0:
            return 0.0
        if now is None:
            now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._sweep(now)
            self._buckets[key] = [self.burst - 1.0, now]
            return 0.0
        tokens = bucket[0] + (now - bucket[1]) * rate
        if tokens > self.burst:
            tokens = self.burst
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / rate

    def _sweep(self, now: float) -> None:
        rate, burst = self.rate, self.burst
        buckets = self._buckets
        for key in [
            k for k, (tokens, last) in buckets.items() if tokens + (now - last) * rate >= burst
        ]:
            del buckets[key]
        excess = len(buckets) - self.max_keys * 3 // 4
        if excess > 0:  # dicts keep insertion order: these are the clients first seen
            for key in list(buckets)[:excess]:
                del buckets[key]


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
