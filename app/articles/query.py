"""The query strings of /v1/articles that the edge answers without FastAPI.

Only the plain forms a frontend sends are read here: each parameter at most once,
with no percent-encoding, and values already in canonical form. Anything else
(an unknown or repeated parameter, an out-of-range limit, a publish-time filter,
an encoded value) is left to the route, whose validation and problem answers are
the reference; this parser never refuses a request, it only declines to answer it.
"""

import re
from typing import NamedTuple

from app.documents.summaries import ArticleFilters
from app.models.enums import ArticleType
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT

_ID = re.compile(rb"[1-9][0-9]{0,9}")
_MAX_ID = 2**31 - 1
_SLUG = re.compile(rb"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_SLUG = 120
# What encode_cursor writes: unpadded URL-safe base64.
_CURSOR = re.compile(rb"[A-Za-z0-9_-]{1,512}")
_TYPES = {member.value.encode(): member for member in ArticleType}


class ListQuery(NamedTuple):
    filters: ArticleFilters
    limit: int
    cursor: str | None


def _id(value: bytes) -> int | None:
    if _ID.fullmatch(value) is None:
        return None
    number = int(value)
    return number if number <= _MAX_ID else None


def list_query(query_string: bytes) -> ListQuery | None:
    """The list request this query string asks for, or None to leave it to the route."""
    values: dict[bytes, bytes] = {}
    if query_string:
        for part in query_string.split(b"&"):
            name, equals, value = part.partition(b"=")
            if not equals or name in values:
                return None
            values[name] = value
    author = person = tag = cursor = None
    article_type = None
    limit = DEFAULT_LIMIT
    for name, value in values.items():
        if name == b"author" or name == b"person":
            ident = _id(value)
            if ident is None:
                return None
            if name == b"author":
                author = ident
            else:
                person = ident
        elif name == b"tag":
            if len(value) > _MAX_SLUG or _SLUG.fullmatch(value) is None:
                return None
            tag = value.decode()
        elif name == b"type":
            article_type = _TYPES.get(value)
            if article_type is None:
                return None
        elif name == b"limit":
            number = _id(value)
            if number is None or number > MAX_LIMIT:
                return None
            limit = number
        elif name == b"cursor":
            if _CURSOR.fullmatch(value) is None:
                return None
            cursor = value.decode()
        else:
            return None
    filters = ArticleFilters(author=author, person=person, tag=tag, type=article_type)
    return ListQuery(filters, limit, cursor)
