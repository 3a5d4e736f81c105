"""JSON Merge Patch (RFC 7386)."""

from typing import Any


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
