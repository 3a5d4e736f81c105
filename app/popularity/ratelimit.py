"""A per-client beacon limit, counted per worker process in fixed one-minute windows.

The counts are safe to lose (a restart forgives everyone) and each worker limits
on its own, so N workers admit up to N times the limit: a guard against one
client flooding the counter, not an accounting system. A CDN or WAF in front is
the place for global limits.
"""

import math
from collections import Counter

from app.clock import Clock

WINDOW_SECONDS = 60


class RateLimiter:
    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._window = -1
        self._counts: Counter[str] = Counter()

    def retry_after(self, client: str) -> int | None:
        """None when the client may go ahead, else the seconds until it may."""
        if self.per_minute == 0:
            return None
        now = self._clock().timestamp()
        window = int(now // WINDOW_SECONDS)
        if window != self._window:
            self._window, self._counts = window, Counter()
        self._counts[client] += 1
        if self._counts[client] <= self.per_minute:
            return None
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
