"""Per-client request limits in fixed one-minute windows of the app clock.

Two limits use it. Page-view beacons count per worker process in memory: the
counts are safe to lose (a restart forgives everyone) and N workers admit up to
N times the limit, which is enough for a guard against one client flooding the
view counter at beacon rates, where a network round trip per beacon would cost
more than it guards. The management API counts in memory too by default (one
process on SQLite), or in Redis, where every worker and machine shares the
counts and the limit holds as set.

A fixed window lets a client send up to twice the limit across a window's
boundary; in exchange each client costs one counter per minute, in memory or in
Redis, and the reset time every answer reports is exact.
"""

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import anyio.to_thread
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.clock import Clock
from app.config import Settings

WINDOW_SECONDS = 60
REDIS_KEY_PREFIX = "byline:ratelimit:"
# Redis on the same network answers in well under a millisecond; waiting longer
# than this for a count would slow the request more than the limit protects it.
REDIS_TIMEOUT_SECONDS = 0.25
# After a failure the limiter leaves Redis alone this long instead of making every
# request wait for a timeout while it is down.
REDIS_RETRY_SECONDS = 5.0

log = logging.getLogger("byline.ratelimit")


@dataclass(frozen=True, slots=True)
class Quota:
    """Where one request leaves its client in the current window."""

    limit: int
    used: int  # this request included
    reset: int  # whole seconds until the window ends, at least 1

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    def headers(self) -> dict[str, str]:
        """The RateLimit header fields of the IETF httpapi draft, in their three-field form."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "RateLimit-Reset": str(self.reset),
        }


class WindowCounts(Protocol):
    async def count(self, client: str, window: int) -> int | None:
        """Count one request of the client in the window: its requests so far, this one
        included, or None when the counts cannot be reached."""

    def close(self) -> None: ...


class MemoryCounts:
    """Counts of this process only; only the current window is kept."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: Counter[str] = Counter()

    async def count(self, client: str, window: int) -> int:
        if window != self._window:
            self._window, self._counts = window, Counter()
        self._counts[client] += 1
        return self._counts[client]

    def close(self) -> None:
        pass


class RedisCounts:
    """Counts every worker and machine on the same Redis shares.

    A rate limiter must not take the API down with it: while Redis cannot answer,
    `count` is None and the request goes ahead uncounted. The outage is logged
    once, when it starts, and Redis is tried again after REDIS_RETRY_SECONDS.
    The client is synchronous and runs in a worker thread: it belongs to no event
    loop, so any loop may use it, and a Redis that hangs holds a thread rather
    than the loop.
    """

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            # One immediate retry replaces a pooled connection that went stale
            # when Redis restarted; more would only lengthen an outage.
            retry=Retry(NoBackoff(), 1),
        )
        self._key_prefix = REDIS_KEY_PREFIX
        self._unreachable = False
        self._retry_at = 0.0

    async def count(self, client: str, window: int) -> int | None:
        if self._unreachable and time.monotonic() < self._retry_at:
            return None
        key = f"{self._key_prefix}{window}:{client}"
        try:
            used = await anyio.to_thread.run_sync(self._increment, key)
        except (redis.RedisError, OSError) as exc:
            if not self._unreachable:
                log.warning("rate limits not enforced while Redis is unreachable: %s", exc)
            self._unreachable = True
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            return None
        if self._unreachable:
            log.warning("rate limits enforced again: Redis is back")
            self._unreachable = False
        return used

    def _increment(self, key: str) -> int:
        # One MULTI: a key is never left counting without its expiry.
        with self._redis.pipeline(transaction=True) as pipeline:
            pipeline.incr(key)
            pipeline.expire(key, 2 * WINDOW_SECONDS)
            used, _ = pipeline.execute()
        return int(used)

    def close(self) -> None:
        self._redis.close()


class RateLimiter:
    def __init__(self, per_minute: int, clock: Clock, counts: WindowCounts | None = None) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._counts = counts or MemoryCounts()

    async def take(self, client: str) -> Quota | None:
        """Count one request of the client: where it stands, or None when nothing limits
        it (the limit is off, or the counts cannot be reached)."""
        if self.per_minute == 0:
            return None
        now = self._clock().timestamp()
        window = int(now // WINDOW_SECONDS)
        used = await self._counts.count(client, window)
        if used is None:
            return None
        reset = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        return Quota(limit=self.per_minute, used=used, reset=reset)

    def close(self) -> None:
        self._counts.close()


def management_limiter(settings: Settings, clock: Clock) -> RateLimiter:
    counts: WindowCounts = (
        RedisCounts(settings.redis_url)
        if settings.manage_rate_limit_store == "redis"
        else MemoryCounts()
    )
    return RateLimiter(settings.manage_requests_per_minute_per_client, clock, counts)
