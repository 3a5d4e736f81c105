"""The committed OpenAPI document, as the contract tests read it."""

import json
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def load_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, operation) of the document."""
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
