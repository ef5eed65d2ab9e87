"""Per-principal rate limiting: a token bucket per caller, in this process's memory."""

from __future__ import annotations

import math
import threading
import time

MAX_TRACKED = 100_000  # callers remembered at once; the oldest are forgotten past this


class RateLimiter:
    def __init__(self, per_second: float, burst: int) -> None:
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, updated)
        self._lock = threading.Lock()

    def acquire(self, caller: str, cost: float = 1.0) -> float:
        """0 when ``caller`` may proceed; else the seconds to wait before trying again."""
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(caller, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.per_second)
            if tokens >= cost:
                self._remember(caller, (tokens - cost, now))
                return 0.0
            self._remember(caller, (tokens, now))
            return (cost - tokens) / self.per_second

    def _remember(self, caller: str, state: tuple[float, float]) -> None:
        self._buckets.pop(caller, None)
        self._buckets[caller] = state
        if len(self._buckets) > MAX_TRACKED:
            del self._buckets[next(iter(self._buckets))]


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
