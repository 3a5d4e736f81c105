"""The management API's per-client rate limit, and the RateLimit headers that report it.

The client is the token when the request's token is valid, so each integration
and editor has a budget of its own; any other request (no token, an unknown or
revoked one, one without the scope) counts against its address. Counting those
attempts by address bounds what an anonymous caller can make the server do,
guessing tokens included, without letting them spend a real token's budget.

A request counts once, when the token check has named its client and before the
operation reads the body or touches a record, so a refused request changes
nothing. Every answer of a counted request (2xx, 4xx, the 429 itself) carries
the RateLimit header fields; they are added as the response starts, which is
the one place errors rendered by the exception handlers pass through too.
"""

from collections.abc import Callable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.auth.dependencies import PRINCIPAL_STATE, Principal
from app.auth.routes import AuthenticatedRoute
from app.container import services
from app.errors import TooManyRequests
from app.params import Handler

# The OpenAPI header objects, listed once under components.headers.
HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {
        "description": "Requests the client may make per window of one minute. Absent when "
        "the limit is off or its shared counts are unreachable.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "Requests the client has left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the current window ends and the count starts again.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 60},
    },
    "Retry-After": {
        "description": "Seconds to wait before the client's next request can be admitted.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 60},
    },
}
HEADER_REF = "#/components/headers/{name}"
RATE_LIMIT_FIELDS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

# Where a counted request keeps its quota (None when nothing limits it) for its headers.
QUOTA_STATE = "rate_limit_quota"


def _client(request: Request) -> str:
    principal = getattr(request.state, PRINCIPAL_STATE, None)
    if isinstance(principal, Principal):
        return f"token:{principal.token_id}"
    return f"address:{request.client.host if request.client else 'unknown'}"


async def _count(request: Request) -> None:
    """Count the request against its client's limit, once; over the limit, refuse it."""
    state = request.scope.setdefault("state", {})
    if QUOTA_STATE in state:
        return
    quota = await services(request).manage_rate_limiter.take(_client(request))
    state[QUOTA_STATE] = quota
    if quota is not None and not quota.allowed:
        raise TooManyRequests(
            f"Over {quota.limit} management requests a minute from this client; "
            f"try again in {quota.reset} s.",
            headers={"Retry-After": str(quota.reset)},
        )


class RateLimitedRoute(AuthenticatedRoute):
    """An authenticated route whose requests count against their client's rate limit."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # Every answer carries the fields; the 429 says when to come back as well.
        for status in {self.status_code or 200, *self.responses}:
            names = (*RATE_LIMIT_FIELDS, *(("Retry-After",) if status == 429 else ()))
            self.responses[status] = {
                **self.responses.get(status, {}),
                "headers": {name: {"$ref": HEADER_REF.format(name=name)} for name in names},
            }

    def inner_handler(self) -> Handler:
        # Runs once the token is accepted and the query checked, before the body is read.
        handler = super().inner_handler()

        async def counted(request: Request) -> Response:
            await _count(request)
            return await handler(request)

        return counted

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def refused_early(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception:
                # Refused before `counted` (a bad token, an unknown query parameter):
                # such a request counts too, and over the limit its answer is the 429.
                await _count(request)
                raise

        return refused_early

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                quota = scope.get("state", {}).get(QUOTA_STATE)
                if quota is not None:
                    MutableHeaders(scope=message).update(quota.headers())
            await send(message)

        await super().handle(scope, receive, send_with_headers)
