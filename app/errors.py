"""Domain errors and their one rendering: RFC 9457 problem+json."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

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

    type: str = Field(default="about:blank", examples=["urn:byline:problem:not-found"])
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
    problem_type: str = "about:blank",
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
    return problem_response(
        request,
        exc.status,
        detail=exc.detail,
        problem_type=PROBLEM_TYPE_PREFIX + exc.slug,
        errors=exc.errors,
        used_by=exc.used_by,
        headers=exc.headers,
    )


def _allowed_methods(request: Request) -> str:
    """Every method the API documents at this path (Starlette names only one route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == HTTPStatus.NOT_FOUND and detail == "Not Found":
        detail = f"No route matches {request.url.path}."
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request)
        detail = f"{request.method} is not allowed here; use {headers['Allow']}."
    return problem_response(request, exc.status_code, detail=detail, headers=headers)


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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def _problem_content(status: int, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": Problem,
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
    """Well-formed input that cannot be accepted, e.g. a reference to nothing."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    slug = "validation-error"


class PreconditionFailed(AppError):
    status = HTTPStatus.PRECONDITION_FAILED
    slug = "precondition-failed"


class PreconditionRequired(AppError):
    status = HTTPStatus.PRECONDITION_REQUIRED
    slug = "precondition-required"


class TooManyRequests(AppError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "rate-limited"
