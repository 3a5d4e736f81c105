"""Conditional GETs and cache headers shared by every public response."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.config import Settings
from app.errors import problem_responses
from app.pagination import next_link, page_body

JSON_MEDIA_TYPE = "application/json"


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(header: str, etag: str, *, weak: bool) -> bool:
    """Whether an If-None-Match (`weak`) or If-Match (strong) header lists `etag`.

    RFC 9110 section 13.1: a lone `*` matches any current representation; If-None-Match
    compares weakly (a `W/` prefix on either side is ignored), If-Match strongly (a weak
    tag never matches). Tags are compared whole, never as substrings. Splitting on commas
    is enough because the tags this app hands out never contain one.
    """
    candidates = [candidate.strip() for candidate in header.split(",")]
    if candidates == ["*"]:
        return True
    if weak:
        opaque = etag.removeprefix("W/")
        return any(candidate.removeprefix("W/") == opaque for candidate in candidates)
    return not etag.startswith("W/") and etag in candidates


def public_origin(request: Request, public_base_url: str | None) -> str:
    """Where absolute links point: PUBLIC_BASE_URL, else the origin the request came to."""
    return public_base_url or str(request.base_url).rstrip("/")


@dataclass(frozen=True, slots=True)
class PublicHeaders:
    """What this app's public answers carry: their Cache-Control and the origin of links."""

    cache_control: str
    public_base_url: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> "PublicHeaders":
        return cls(
            cache_control=(
                f"public, max-age={settings.cache_max_age}, s-maxage={settings.cache_s_maxage}, "
                f"stale-while-revalidate={settings.cache_stale_while_revalidate}"
            ),
            public_base_url=settings.public_base_url,
        )


def public_response(
    request: Request,
    public: PublicHeaders,
    body: bytes,
    *,
    surrogate_keys: Iterable[str] | str,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
    cache_control: str | None = None,
    media_type: str = JSON_MEDIA_TYPE,
) -> Response:
    """A cacheable response (JSON unless told), or a 304 when the client already holds it."""
    etag = etag or etag_for(body)
    out = {
        "ETag": etag,
        "Cache-Control": cache_control or public.cache_control,
        "Surrogate-Key": surrogate_keys
        if isinstance(surrogate_keys, str)
        else " ".join(surrogate_keys),
        **(headers or {}),
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, etag, weak=True):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)


def model_response(
    request: Request, public: PublicHeaders, model: BaseModel, *, surrogate_keys: Iterable[str]
) -> Response:
    return public_response(
        request, public, model.__pydantic_serializer__.to_json(model), surrogate_keys=surrogate_keys
    )


def page_response(
    request: Request,
    public: PublicHeaders,
    items: Iterable[BaseModel],
    next_cursor: str | None,
    *,
    surrogate_keys: Iterable[str],
) -> Response:
    return spliced_page_response(
        request,
        public,
        [m.__pydantic_serializer__.to_json(m) for m in items],
        next_cursor,
        surrogate_keys=surrogate_keys,
    )


def spliced_page_response(
    request: Request,
    public: PublicHeaders,
    items: Sequence[bytes],
    next_cursor: str | None,
    *,
    surrogate_keys: Iterable[str],
) -> Response:
    """A list page built from items already serialized, such as stored summaries."""
    return public_response(
        request,
        public,
        page_body(items, next_cursor),
        surrogate_keys=surrogate_keys,
        headers=next_link(request, next_cursor, public.public_base_url),
    )


VISIBLE_ARTICLES_ONLY = (
    "Only published articles whose publish time has come are included; drafts, scheduled "
    "articles and edits not yet republished never are."
)
PUBLIC_LIFETIMES = "`public`, with max-age, s-maxage and stale-while-revalidate"


def public_description(*sentences: str, cache_control: str = PUBLIC_LIFETIMES) -> str:
    """A public read's description, ending with who may call it and how to cache it."""
    return " ".join(
        [
            *sentences,
            "Anyone may call it without a token; the answer carries a strong ETag "
            f"(`If-None-Match` gets 304), Cache-Control ({cache_control}) and Surrogate-Key "
            "(the keys a CDN purges it by).",
        ]
    )


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


_CACHE_HEADERS = {
    "ETag": _header("Strong validator; send it back in If-None-Match."),
    "Cache-Control": _header("Lifetimes for browsers and shared caches."),
    "Surrogate-Key": _header("Space-separated keys of the entities inside, for CDN purges."),
}


def read_responses(*, lookup: bool = False, paged: bool = False) -> dict[int | str, Any]:
    """OpenAPI responses of a public GET: cache headers, 304 and its problems."""
    headers = dict(_CACHE_HEADERS)
    if paged:
        headers["Link"] = _header('`<url>; rel="next"` when there is a next page.')
    return {
        200: {"headers": headers},
        304: {
            "description": "Not Modified: If-None-Match holds the current ETag.",
            "headers": _CACHE_HEADERS,
        },
        **problem_responses(*((400, 404, 422) if lookup else (400, 422))),
    }
