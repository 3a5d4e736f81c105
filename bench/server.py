"""Byline's own app with a clock that starts in the past, for the /v1/popular part.

uvicorn imports this with `--factory bench.server:create_bench_app`. When
BYLINE_BENCH_CLOCK_START is set (ISO 8601, aware), the app's clock starts at that
instant instead of now and runs at real speed: a dataset cached days ago still has
views in its last hour. Nothing else changes in the app.
"""

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from app.main import create_app
from app.models.base import utcnow

CLOCK_START_ENV = "BYLINE_BENCH_CLOCK_START"


def shifted_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and then advances like the real one."""
    if start.tzinfo is None:
        raise ValueError("the bench clock start must be timezone-aware")
    offset = timedelta(seconds=time.time() - start.timestamp())

    def clock() -> datetime:
        return datetime.now(UTC) - offset

    return clock


def create_bench_app() -> FastAPI:
    start = os.environ.get(CLOCK_START_ENV)
    return create_app(clock=shifted_clock(datetime.fromisoformat(start)) if start else utcnow)
