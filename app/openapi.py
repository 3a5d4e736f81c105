"""The OpenAPI document: generated from the routes, with the shared Problem schema."""

import json
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import Problem


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=[
                    {"name": "articles", "description": "Published articles and lists of them."},
                    {"name": "authors", "description": "People in bylines."},
                    {"name": "people", "description": "People and organizations shown."},
                    {"name": "images", "description": "Photos with credits and captions."},
                    {"name": "quotes", "description": "Words people said, reused across articles."},
                    {"name": "tags", "description": "Topics, sections and places."},
                    {"name": "operations", "description": "Probes for orchestrators."},
                ],
            )
            schema["components"]["schemas"]["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render_document() -> str:
    """The committed form of the document: stable key order, trailing newline."""
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_document())
