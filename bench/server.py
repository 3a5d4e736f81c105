"""The app under test: Byline's own factory plus two ceiling routes.

uvicorn imports this with `--factory bench.server:create_bench_app`. The GET ceiling is
the cheapest thing a FastAPI route in this very app can do: return fixed bytes, as
many as the article document has, through the same middleware and server settings.
The POST ceiling is the same for a beacon: answer 202 with no body.
"""

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from starlette.responses import Response

from app.main import create_app
from app.models.base import utcnow

CEILING_PATH = "/__bench/ceiling"
CEILING_POST_PATH = "/__bench/ceiling-202"
CEILING_BYTES_ENV = "BYLINE_BENCH_CEILING_BYTES"
# When set (ISO 8601, aware), the app's clock starts at this instant instead of now and
# runs at real speed: a dataset cached days ago still has views in its last hour.
CLOCK_START_ENV = "BYLINE_BENCH_CLOCK_START"


def fixed_json(size: int) -> bytes:
    """A valid JSON document of exactly `size` bytes (at least 10)."""
    shell = b'{"pad":""}'
    if size < len(shell):
        raise ValueError(f"ceiling body must be at least {len(shell)} bytes, not {size}")
    return b'{"pad":"' + b"x" * (size - len(shell)) + b'"}'


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
    app = create_app(clock=shifted_clock(datetime.fromisoformat(start)) if start else utcnow)
    body = fixed_json(int(os.environ.get(CEILING_BYTES_ENV, "10")))

    async def ceiling() -> Response:
        return Response(body, media_type="application/json")

    async def ceiling_post() -> Response:
        return Response(status_code=202)

    app.add_api_route(
        CEILING_POST_PATH,
        ceiling_post,
        methods=["POST"],
        status_code=202,
        include_in_schema=False,
        name="bench_ceiling_post",
    )
    app.add_api_route(
        CEILING_PATH, ceiling, methods=["GET"], include_in_schema=False, name="bench_ceiling"
    )
    # Matched first, so the ceilings pay no routing cost the product's routes pay: the
    # ratios then charge the product for everything it does, routing included. The GET
    # ceiling is first; the POST one second (one failed path match, well under 1 µs).
    routes = app.router.routes
    get_ceiling, post_ceiling = routes.pop(), routes.pop()
    routes.insert(0, post_ceiling)
    routes.insert(0, get_ceiling)
    return app
