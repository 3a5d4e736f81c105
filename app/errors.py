"""Domain errors and their one rendering: RFC 9457 problem+json."""

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:byline:problem:"

log = logging.getLogger("byline.errors")


class FieldError(BaseModel):
    location: list[str | int] = Field(examples=[["query", "limit"]])
    message: str = Field(examples=["Input should be less than or equal to 100"])
    type: str = Field(examples=["less_than_equal"])


class Usage(BaseModel):
    """A record that refers to the one being deleted."""

    kind: str = Field(examples=["article"])
    id: int = Field(examples=[12])
    label: str = Field(examples=["the-ceasefire-that-nobody-signed (published)"])


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        examples=["urn:byline:problem:not-found"],
        description="What went wrong, as a stable URN; the README lists every type.",
    )
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["No published article has that slug."])
    instance: str | None = Field(default=None, examples=["/v1/articles/no-such-slug"])
    request_id: str | None = Field(default=None, examples=["5f0c6b7e9a3d4c1f8e2b7a6d5c4b3a21"])
    errors: list[FieldError] | None = Field(
        default=None, description="On 422: each invalid field, with its location."
    )
    used_by: list[Usage] | None = Field(
        default=None, description="On 409 for a delete: the records that still use it."
    )


class AppError(Exception):
    """Base of the errors services raise; the handler turns them into problems."""

    status: int = HTTPStatus.INTERNAL_SERVER_ERROR
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
        used_by: list[Usage] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors
        self.used_by = used_by


class BadRequest(AppError):
    status = HTTPStatus.BAD_REQUEST
    slug = "bad-request"


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"


class UnknownQueryParameter(BadRequest):
    slug = "unknown-query-parameter"


class NotFound(AppError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"


def problem_response(
    request: Request | None,
    status: int,
    *,
    detail: str | None = None,
    problem_type: str,
    errors: list[FieldError] | None = None,
    used_by: list[Usage] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    scope_state = request.scope.get("state", {}) if request is not None else {}
    problem = Problem(
        type=problem_type,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance if request is None else request.url.path,
        request_id=scope_state.get("request_id"),
        errors=errors,
        used_by=used_by,
    )
    body = orjson.dumps(problem.model_dump(exclude_none=True))
    # An error is about this moment (a slug not yet published, a stale ETag): never cache it.
    headers = {"Cache-Control": "no-store", **(headers or {})}
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return app_error_response(request, exc)


def app_error_response(request: Request, exc: AppError) -> Response:
    """The problem an AppError stands for, wherever it is caught."""
    return problem_response(
        request,
        exc.status,
        detail=exc.detail,
        problem_type=PROBLEM_TYPE_PREFIX + exc.slug,
        errors=exc.errors,
        used_by=exc.used_by,
        headers=exc.headers,
    )


class AllowedMethods:
    """Every method an app answers at a path, for the Allow header of a 405.

    Starlette's 405 knows only the first route whose path matched, and a path
    such as /v1/manage/articles has a route per method. The table is read from
    the route table once, on the first 405, when every route is in place.
    """

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._table: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def at(self, path: str) -> str:
        if self._table is None:
            self._table = [
                (context.path_regex, frozenset(context.methods))
                for context in iter_route_contexts(self._app.routes)
                if context.methods
            ]
        methods = {m for pattern, found in self._table if pattern.match(path) for m in found}
        if "GET" in methods:
            methods.add("HEAD")  # the edge (app.edge) answers HEAD wherever GET is
        return ", ".join(sorted(methods))


def _framework_slug(status: int) -> str:
    # Routing and body parsing raise plain HTTP errors; their types follow the
    # status phrase ("not-found", "method-not-allowed", "bad-request"), the same
    # slugs the domain errors of those statuses use.
    return HTTPStatus(status).phrase.lower().replace(" ", "-")


def _http_error_handler(allowed: AllowedMethods) -> ExceptionHandler:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == HTTPStatus.NOT_FOUND and detail == "Not Found":
            detail = f"No route matches {request.url.path}."
        if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            headers["Allow"] = allowed.at(request.url.path)
            detail = f"{request.method} is not allowed here; use {headers['Allow']}."
        return problem_response(
            request,
            exc.status_code,
            detail=detail,
            problem_type=PROBLEM_TYPE_PREFIX + _framework_slug(exc.status_code),
            headers=headers,
        )

    return http_error


def _location(loc: tuple[Any, ...]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(location=_location(err["loc"]), message=err["msg"], type=err["type"])
        for err in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e.location) for e in errors)
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail=f"Invalid input: {fields}.",
        problem_type=PROBLEM_TYPE_PREFIX + "validation-error",
        errors=errors,
    )


UNHANDLED_DETAIL = "The server failed to answer; the request id identifies it in the logs."


async def _unhandled(request: Request, exc: Exception) -> Response:
    # FastAPI's last resort sends this, then raises on to the edge, which logs it.
    return problem_response(
        request, 500, detail=UNHANDLED_DETAIL, problem_type=PROBLEM_TYPE_PREFIX + AppError.slug
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _unhandled)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler(AllowedMethods(app)))
    app.add_exception_handler(RequestValidationError, _validation_error)


def _problem_content(status: int, description: str) -> dict[str, Any]:
    # No `model`: FastAPI would declare it as application/json as well, which no error is.
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors an operation can answer."""
    descriptions = {
        400: "Malformed cursor or body, or an unknown query parameter",
        401: "No bearer token, or an unknown or revoked one",
        403: "The token lacks the scope this operation needs",
        404: "Nothing has that identifier",
        409: "Conflicts with the current state; a delete lists `used_by`",
        412: "If-Match does not hold the current ETag; nothing changed",
        413: "The request body is over 1 MiB",
        422: "Invalid input; `errors` names each field",
        428: "This write needs an If-Match header with the current ETag",
        429: "Too many requests from this client; see Retry-After",
    }
    return {
        status: _problem_content(status, descriptions.get(status, HTTPStatus(status).phrase))
        for status in statuses
    }


class Unauthorized(AppError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "unauthorized"


class Forbidden(AppError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


class Conflict(AppError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"


class InvalidContent(AppError):
    """Input the request schema cannot describe as invalid, yet is (a merged patch, a beacon)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    slug = "validation-error"


# The 422s below have types of their own: a request can fit the schema to the letter and still
# get them, so a client (and the schema tests) can tell them from a malformed request.
class UnknownReference(InvalidContent):
    """An id or slug in the body names no record, or a record of the wrong kind."""

    slug = "unknown-reference"


class IdempotencyKeyReused(InvalidContent):
    slug = "idempotency-key-reused"


class ViewsRejected(InvalidContent):
    """A view import names no published article, or a time outside the counted range."""

    slug = "views-rejected"


class PreconditionFailed(AppError):
    status = HTTPStatus.PRECONDITION_FAILED
    slug = "precondition-failed"


class PreconditionRequired(AppError):
    status = HTTPStatus.PRECONDITION_REQUIRED
    slug = "precondition-required"


class TooManyRequests(AppError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "rate-limited"


class ServiceUnavailable(AppError):
    """A part Byline depends on (the database, Redis) cannot serve this request now.

    Outages are temporary by nature, so the answer always says when to try again:
    a client or CDN that honours Retry-After backs off instead of hammering a server
    that is coming back.
    """

    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "service-unavailable"
    retry_after_seconds = 5

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        seconds = self.retry_after_seconds if retry_after is None else retry_after
        super().__init__(detail, headers={"Retry-After": str(seconds)})
