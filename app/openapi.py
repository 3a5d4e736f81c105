"""The OpenAPI document: generated from the routes, completed with what routes cannot declare."""

import json
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.auth.limits import HEADERS as RATE_LIMIT_HEADERS
from app.editing.merge_patch import MERGE_PATCH
from app.errors import Problem
from app.popularity.schemas import ViewBeacon

COMPONENT_REF = "#/components/schemas/{model}"
NULL = {"type": "null"}
ANNOTATIONS = ("title", "description", "examples")

SERVERS = [
    {"url": "/", "description": "This server"},
    {"url": "http://127.0.0.1:8000", "description": "A local server started with `make run`"},
]
LICENSE = {"name": "MIT", "identifier": "MIT"}
CONTACT = {"name": "Byline maintainers", "url": "https://byline.example/#support"}

TAGS = [
    {"name": "articles", "description": "Published articles and lists of them."},
    {"name": "authors", "description": "People in bylines."},
    {"name": "people", "description": "People and organizations shown."},
    {"name": "images", "description": "Photos with credits and captions, and their renditions."},
    {"name": "quotes", "description": "Words people said, reused across articles."},
    {"name": "tags", "description": "Topics, sections and places."},
    {"name": "feeds", "description": "RSS, Atom and JSON Feed of the latest articles."},
    {"name": "sitemaps", "description": "Sitemaps for crawlers, Google News included."},
    {"name": "popularity", "description": "Page-view beacons, view imports and most-read lists."},
    {"name": "manage: articles", "description": "Drafts, publishing, scheduling and revisions."},
    {"name": "manage: people", "description": "Editing people and organizations."},
    {"name": "manage: images", "description": "Editing images, their credits and who is shown."},
    {"name": "manage: quotes", "description": "Editing quotes and who said them."},
    {"name": "manage: tags", "description": "Editing topics, sections and places."},
    {"name": "manage: tokens", "description": "API tokens and their scopes (admin only)."},
    {"name": "operations", "description": "Probes and metrics for orchestrators."},
]

# Hand-written parts of the document refer to these; no route's signature names them.
EXTRA_COMPONENTS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (Problem, "serialization"),
    (ViewBeacon, "validation"),
]


def _extra_components() -> dict[str, Any]:
    _, schema = models_json_schema(EXTRA_COMPONENTS, ref_template=COMPONENT_REF)
    components: dict[str, Any] = schema["$defs"]
    return components


def _patch_property(prop: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """Null removes the field, so its default applies; a required field has none (a 422).
    A default means nothing in a patch, where a field left out keeps its value."""
    annotations = {k: v for k, v in prop.items() if k in ANNOTATIONS}
    if "anyOf" in prop:
        variants = [v for v in prop["anyOf"] if v != NULL]
    else:
        variants = [{k: v for k, v in prop.items() if k not in ANNOTATIONS and k != "default"}]
    if not required:
        variants.append(NULL)
    return (
        {"anyOf": variants, **annotations} if len(variants) > 1 else {**variants[0], **annotations}
    )


def _merge_patch_schema(replacement: dict[str, Any]) -> dict[str, Any]:
    required = set(replacement.get("required", []))
    return {
        "type": "object",
        "properties": {
            name: _patch_property(prop, required=name in required)
            for name, prop in replacement["properties"].items()
        },
        "additionalProperties": False,
        "title": replacement["title"].removesuffix("Create") + "Patch",
        "description": "A JSON Merge Patch (RFC 7386) of the record: a field left out keeps "
        "its value, null resets an optional field, objects merge and lists are replaced.",
    }


def _describe_merge_patches(document: dict[str, Any]) -> None:
    """Give each merge-patch body the shape of the PUT body at the same path, made partial."""
    schemas = document["components"]["schemas"]
    for operations in document["paths"].values():
        patch_body = operations.get("patch", {}).get("requestBody", {}).get("content", {})
        if MERGE_PATCH not in patch_body:
            continue
        ref = operations["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        patch = _merge_patch_schema(schemas[ref.rsplit("/", 1)[1]])
        schemas[patch["title"]] = patch
        patch_body[MERGE_PATCH]["schema"] = {"$ref": COMPONENT_REF.format(model=patch["title"])}


def _discriminators(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node["discriminator"]] if "discriminator" in node else []
        return own + [found for value in node.values() for found in _discriminators(value)]
    if isinstance(node, list):
        return [found for value in node for found in _discriminators(value)]
    return []


def _require_discriminators(document: dict[str, Any]) -> None:
    """A body block without its `type` is refused (the server picks the variant by it), though
    pydantic leaves it out of `required` because it has a default; OpenAPI wants it required."""
    schemas = document["components"]["schemas"]
    for discriminator in _discriminators(schemas):
        for ref in discriminator["mapping"].values():
            variant = schemas[ref.rsplit("/", 1)[1]]
            required = variant.setdefault("required", [])
            if discriminator["propertyName"] not in required:
                required.insert(0, discriminator["propertyName"])


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
                servers=SERVERS,
                contact=CONTACT,
                license_info=LICENSE,
            )
            schema["components"]["schemas"].update(_extra_components())
            schema["components"]["headers"] = RATE_LIMIT_HEADERS
            _require_discriminators(schema)
            _describe_merge_patches(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    # Replacing the method is FastAPI's documented way to extend the generated document.
    app.openapi = openapi  # type: ignore[method-assign]


def render_document() -> str:
    """The committed form of the document: stable key order, trailing newline."""
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_document())
