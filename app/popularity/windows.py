"""Time arithmetic for view buckets and ranking windows.

Counts live in hourly buckets (daily once compacted). A window starts at the
start of the bucket that holds the instant `now - window`: hourly for 1h, 24h
and 7d; daily for 30d, which reaches into compacted days. Because windows start
on bucket boundaries, compaction never changes what a window sums.
"""

from datetime import UTC, datetime, timedelta
from enum import StrEnum

HOUR = "hour"
DAY = "day"


class Window(StrEnum):
    hour = "1h"
    day = "24h"
    week = "7d"
    month = "30d"


WINDOW_LENGTHS = {
    Window.hour: timedelta(hours=1),
    Window.day: timedelta(hours=24),
    Window.week: timedelta(days=7),
    Window.month: timedelta(days=30),
}


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def floor_day(moment: datetime) -> datetime:
    return floor_hour(moment).replace(hour=0)


def window_start(window: Window, now: datetime) -> datetime:
    edge = now - WINDOW_LENGTHS[window]
    return floor_day(edge) if window is Window.month else floor_hour(edge)


def compaction_cutoff(now: datetime, after_days: int) -> datetime:
    """Hourly buckets that start before this are folded into daily ones."""
    return floor_day(now - timedelta(days=after_days))
