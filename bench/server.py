"""The app under test: Byline's own factory plus one ceiling route.

uvicorn imports this with `--factory bench.server:create_bench_app`. The ceiling is
the cheapest thing a FastAPI route in this very app can do: return fixed bytes, as
many as the article document has, through the same middleware and server settings.
"""

import os

from fastapi import FastAPI
from starlette.responses import Response

from app.http import etag_for
from app.main import create_app

CEILING_PATH = "/__bench/ceiling"
CEILING_BYTES_ENV = "BYLINE_BENCH_CEILING_BYTES"


def fixed_json(size: int) -> bytes:
    """A valid JSON document of exactly `size` bytes (at least 10)."""
    shell = b'{"pad":""}'
    if size < len(shell):
        raise ValueError(f"ceiling body must be at least {len(shell)} bytes, not {size}")
    return b'{"pad":"' + b"x" * (size - len(shell)) + b'"}'


def create_bench_app() -> FastAPI:
    app = create_app()
    body = fixed_json(int(os.environ[CEILING_BYTES_ENV]))

    # A constant validator, as the article route sends its stored one: without it the
    # app would hash the ceiling's body on every request and flatter the ratio.
    headers = {"ETag": etag_for(body)}

    async def ceiling() -> Response:
        return Response(body, media_type="application/json", headers=headers)

    app.add_api_route(
        CEILING_PATH, ceiling, methods=["GET"], include_in_schema=False, name="bench_ceiling"
    )
    # Matched first, so the ceiling pays no routing cost the article route pays:
    # the ratio then charges the product for everything it does, routing included.
    app.router.routes.insert(0, app.router.routes.pop())
    return app
