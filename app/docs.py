"""Interactive API docs, Swagger UI at /docs and ReDoc at /redoc, served without a CDN.

Their scripts, stylesheet and icon come from the fastapi-offline package, which
keeps current builds of both, and the app serves them itself: the docs work on a
machine without internet, and no reader's browser is sent to a third party.
The asset URLs carry the package's version, so browsers keep the files for a
year and still fetch the new ones after an upgrade.
"""

from importlib.metadata import version
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_VERSION = version("fastapi-offline")
ASSETS_DIRECTORY = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs/assets/{version}"
ASSETS_CACHE_CONTROL = "public, max-age=31536000, immutable"


class VersionedAssets(StaticFiles):
    """The files of one version of the package, cacheable for good under its URL."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["path_params"]["version"] != ASSETS_VERSION:
            raise HTTPException(404, "No docs assets of that version are served here.")
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = ASSETS_CACHE_CONTROL
        return response


def _under_root(request: Request, path: str) -> str:
    # Behind a proxy that serves the app under a prefix, the browser needs the prefix.
    root: str = request.scope.get("root_path", "")
    return root + path


def asset(request: Request, name: str) -> str:
    return _under_root(request, ASSETS_PATH.format(version=ASSETS_VERSION) + "/" + name)


def install_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve the two docs pages and their assets; none of it is part of the OpenAPI document."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url

    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=_under_root(request, openapi_url),
            title=f"{app.title} API",
            swagger_js_url=asset(request, "swagger-ui-bundle.js"),
            swagger_css_url=asset(request, "swagger-ui.css"),
            swagger_favicon_url=asset(request, "favicon.png"),
            # Swagger UI would otherwise send the whole document to swagger.io to validate it.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=_under_root(request, openapi_url),
            title=f"{app.title} API",
            redoc_js_url=asset(request, "redoc.standalone.js"),
            redoc_favicon_url=asset(request, "favicon.png"),
            with_google_fonts=False,
        )

    app.add_route(docs_url, swagger_ui, include_in_schema=False)
    app.add_route(redoc_url, redoc, include_in_schema=False)
    app.mount(ASSETS_PATH, VersionedAssets(directory=ASSETS_DIRECTORY), name="docs-assets")
