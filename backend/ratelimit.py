"""Per-principal rate limiting: a token bucket per caller in this process's memory, or, with
``SCF_REDIS_URL``, one window per caller in Redis shared by every API worker process.

Both answer :meth:`acquire` the same way: 0 when the caller may proceed, else the seconds to wait.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from backend.settings import Settings

logger = logging.getLogger(__name__)

MAX_TRACKED = 100_000  # callers remembered at once; the oldest are forgotten past this
#: Prefix of the limit keys in Redis (several deployments can share one Redis by its db number).
REDIS_KEY_PREFIX = "scf-ratelimit"
#: A Redis that does not answer within this long is skipped for that request (the process's own
#: bucket decides instead): a slow limiter must not become the API's latency.
REDIS_TIMEOUT_SECONDS = 0.5


class Limiter(Protocol):
    def acquire(self, caller: str, cost: float = 1.0) -> float: ...


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


class RedisRateLimiter:
    """The same allowance shared through Redis by every process that points at it.

    The `limits` library has windows, not buckets: ``burst`` requests per window of
    ``burst / per_second`` seconds (rounded up to whole seconds) allow the same burst and the
    same long-run rate as the bucket. When Redis fails, ``fallback`` (this process's bucket)
    decides, so an outage of the limiter never refuses or fails a request by itself."""

    def __init__(self, url: str, per_second: float, burst: int, fallback: Limiter) -> None:
        window = max(1, math.ceil(burst / per_second))
        self.item = RateLimitItemPerSecond(max(1, round(per_second * window)), window)
        self.storage = RedisStorage(
            url,
            key_prefix=REDIS_KEY_PREFIX,
            wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.fallback = fallback

    def acquire(self, caller: str, cost: float = 1.0) -> float:
        try:
            if self.limiter.hit(self.item, caller, cost=max(1, math.ceil(cost))):
                return 0.0
            reset = self.limiter.get_window_stats(self.item, caller).reset_time
        except StorageError as error:
            logger.warning("ratelimit.redis_failed error=%s", error)
            return self.fallback.acquire(caller, cost)
        return max(reset - time.time(), 1.0 / self.item.amount)


def rate_limiter(settings: Settings) -> Limiter:
    """Redis-backed when ``SCF_REDIS_URL`` is set, else in this process's memory."""
    local = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    if not settings.redis_url:
        return local
    return RedisRateLimiter(
        settings.redis_url, settings.rate_limit_per_second, settings.rate_limit_burst, local
    )


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
