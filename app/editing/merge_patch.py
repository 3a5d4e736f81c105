"""JSON Merge Patch (RFC 7386): the body PATCH takes, applying it, and checking the result."""

from typing import Annotated, Any, TypeVar

from fastapi import Body
from pydantic import BaseModel, ValidationError

from app.errors import FieldError, InvalidContent

MERGE_PATCH = "application/merge-patch+json"

ModelT = TypeVar("ModelT", bound=BaseModel)

MergePatch = Annotated[
    dict[str, Any],
    Body(media_type=MERGE_PATCH, description="A JSON Merge Patch (RFC 7386)."),
]


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """Objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def validate_patched(schema: type[ModelT], document: Any) -> ModelT:
    """Validation errors of a merged document, reported at their body location."""
    try:
        return schema.model_validate(document)
    except ValidationError as exc:
        errors = [
            FieldError(
                location=["body", *[p if isinstance(p, int) else str(p) for p in err["loc"]]],
                message=err["msg"],
                type=err["type"],
            )
            for err in exc.errors()
        ]
        raise InvalidContent("The patched record is not valid.", errors=errors) from exc
