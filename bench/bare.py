"""The ceiling: a bare FastAPI app outside Byline, with one `async def` route.

No middleware, nothing but the route. With BENCH_BARE_BODY naming a file, the route is
`GET /` answering that file's bytes with a strong ETag: the bench first fetches what
Byline sent for an endpoint and hands the same bytes to this app. Without it, the route
is `POST /` answering 202 with no body, the ceiling of a beacon. The bench runs this
module with the uvicorn and the settings `byline serve` uses.
"""

import hashlib
import os
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response

BODY_ENV = "BENCH_BARE_BODY"


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    body_file = os.environ.get(BODY_ENV)
    if body_file is None:

        @app.post("/", status_code=202)
        async def beacon() -> Response:
            return Response(status_code=202)

        return app

    body = Path(body_file).read_bytes()
    headers = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"'}

    @app.get("/")
    async def document() -> Response:
        return Response(body, media_type="application/json", headers=headers)

    return app
