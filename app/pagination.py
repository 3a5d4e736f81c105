"""Opaque keyset cursors and the list envelope every collection answers with."""

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlsplit

import orjson
from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, tuple_
from sqlalchemy.sql.elements import SQLCoreOperations
from starlette.requests import Request

from app.errors import InvalidCursor

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
CursorParam = Annotated[
    str | None,
    Query(
        max_length=512,
        description="Opaque cursor from a previous page's `next_cursor`.",
    ),
]

CursorValue = datetime | date | str | int
T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(values: Sequence[CursorValue]) -> str:
    raw = orjson.dumps([v.isoformat() if isinstance(v, date) else v for v in values])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _parse(value: Any, kind: type[CursorValue]) -> CursorValue:
    if kind is datetime and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("cursor datetime without zone")
        return parsed
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 2**63:
            raise ValueError("cursor id out of range")
        return value
    if kind is str and isinstance(value, str):
        if "\x00" in value:
            raise ValueError("cursor text with a NUL character")
        return value
    raise ValueError("cursor value of the wrong type")


def decode_cursor(token: str, kinds: Sequence[type[CursorValue]]) -> list[CursorValue]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = orjson.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("cursor of the wrong shape")
        return [_parse(v, k) for v, k in zip(values, kinds, strict=True)]
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidCursor(
            "The cursor is malformed; use next_cursor from a previous page."
        ) from exc


def after_keyset(
    columns: Sequence[SQLCoreOperations[Any]], values: Sequence[CursorValue], *, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly past the cursor in the list's sort order."""
    left, right = tuple_(*columns), tuple_(*values)
    return left < right if descending else left > right


def next_link(
    request: Request, next_cursor: str | None, public_base_url: str | None
) -> dict[str, str]:
    """The Link header to the next page, on the public origin when one is configured."""
    if next_cursor is None:
        return {}
    url = request.url.include_query_params(cursor=next_cursor)
    if public_base_url is not None:
        url = url.replace(**_origin_parts(public_base_url))
    return {"Link": f'<{url}>; rel="next"'}


def split_page(
    rows: Sequence[R], limit: int, key: Callable[[R], Sequence[CursorValue]]
) -> tuple[Sequence[R], str | None]:
    """`rows` holds up to limit + 1 rows; the extra one only says a next page exists."""
    page = rows[:limit]
    return page, encode_cursor(key(page[-1])) if len(rows) > limit else None


def _origin_parts(base: str) -> dict[str, Any]:
    parts = urlsplit(base)
    return {"scheme": parts.scheme, "netloc": parts.netloc}


def page_body(items: Sequence[bytes], next_cursor: str | None) -> bytes:
    """The list envelope, spliced from already-serialized items."""
    return b'{"items":[' + b",".join(items) + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"
