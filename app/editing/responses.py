"""Responses of the management API: never cached, always with the record's ETag."""

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.auth.limits import RateLimitedRoute
from app.auth.scopes import Scope, token_needed
from app.errors import problem_responses
from app.http import etag_matches
from app.params import Handler

NO_STORE = "no-store"


class ManagementRoute(RateLimitedRoute):
    """Management answers depend on who asks and change with every write: never cached."""

    def inner_handler(self) -> Handler:
        handler = super().inner_handler()

        async def uncached(request: Request) -> Response:
            response = await handler(request)
            response.headers["Cache-Control"] = NO_STORE
            return response

        return uncached


def record_response(
    request: Request,
    record: BaseModel,
    *,
    etag: str,
    status_code: int = 200,
    location: str | None = None,
) -> Response:
    headers = {"ETag": etag, "Vary": "Authorization"}
    if location is not None:
        headers["Location"] = location
    if_none_match = request.headers.get("if-none-match")
    if (
        request.method == "GET"
        and if_none_match is not None
        and etag_matches(if_none_match, etag, weak=True)
    ):
        return Response(status_code=304, headers=headers)
    body = record.__pydantic_serializer__.to_json(record)
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def manage_responses(*statuses: int) -> dict[int | str, Any]:
    """Every management operation can answer 400 (a body that is not JSON, an unknown
    query parameter), 401, 403 and 429 (over the client's rate limit); add what else it can."""
    return problem_responses(*sorted({400, 401, 403, 429, *statuses}))


def manage_description(*sentences: str, scope: Scope) -> str:
    """A management operation's description, ending with who may call it and the caching."""
    return " ".join(
        [*sentences, f"Needs {token_needed(scope)}; never cached (`Cache-Control: {NO_STORE}`)."]
    )
