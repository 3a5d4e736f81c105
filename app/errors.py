"""Domain errors and their one rendering: RFC 9457 problem+json."""

import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

import orjson
import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError
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


# The error type of a rule between fields that JSON Schema cannot state (a date and its
# precision, one of two fields required): a body can fit the schema to the letter and
# still break one, so its problem has a type of its own.
CONTENT_RULE = "content_rule"


def content_rule(message: str) -> PydanticCustomError:
    """Raise this from a validator for a rule the OpenAPI document cannot declare."""
    return PydanticCustomError(CONTENT_RULE, message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(location=_location(err["loc"]), message=err["msg"], type=err["type"])
        for err in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e.location) for e in errors)
    only_rules = all(error.type == CONTENT_RULE for error in errors)
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail=f"Invalid input: {fields}.",
        problem_type=PROBLEM_TYPE_PREFIX + ("content-rule" if only_rules else "validation-error"),
        errors=errors,
    )


UNHANDLED_DETAIL = "The server failed to answer; the request id identifies it in the logs."


async def _unhandled(request: Request, exc: Exception) -> Response:
    # FastAPI's last resort sends this, then raises on to the edge, which logs it.
    return app_error_response(request, last_resort(exc))


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
        503: "The database (or Redis, for page views, or the image store, for image files) "
        "is unavailable, the database cannot take writes, or the request ran out of time; "
        "try again after Retry-After seconds",
    }
    # Every operation that can answer a problem reads the database or runs under the
    # request timeout, so any of them can meet an outage.
    return {
        status: _problem_content(status, descriptions.get(status, HTTPStatus(status).phrase))
        for status in sorted({*statuses, 503})
    }


class Unauthorized(AppError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "unauthorized"


class Forbidden(AppError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


class NotAcceptable(AppError):
    """A format the path does not offer; the detail lists those it does."""

    status = HTTPStatus.NOT_ACCEPTABLE
    slug = "not-acceptable"


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


class ImageTooLarge(AppError):
    """An upload over IMAGE_MAX_BYTES, or whose header claims more than IMAGE_MAX_PIXELS."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    slug = "image-too-large"


class UnsupportedImage(AppError):
    """Bytes that decode as no accepted format (JPEG, PNG, WebP, AVIF), an animation, or
    bytes that disagree with the Content-Type they were sent with."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    slug = "unsupported-image"


class InvalidImage(InvalidContent):
    """An accepted format that does not decode to the end: truncated or corrupt."""

    slug = "invalid-image"


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


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached, is shutting down or starting, or is too slow:
    a statement or the wait for a connection ran out of time."""

    slug = "database-unavailable"

    def __init__(
        self, detail: str = "The database is unavailable or too slow to answer right now."
    ) -> None:
        super().__init__(detail)


class DatabaseUnwritable(ServiceUnavailable):
    """The database answers reads but cannot write: its disk is full or it is read-only.

    That takes an operator to fix, not a few seconds, hence the longer Retry-After.
    """

    slug = "database-unwritable"
    retry_after_seconds = 60

    def __init__(self) -> None:
        super().__init__(
            "The database cannot take writes right now (its disk is full or it is read-only); "
            "nothing was written. Reads still work."
        )


class StorageUnavailable(ServiceUnavailable):
    """The image store (S3 or its like) cannot be reached, times out, or answers with a
    server error; the cause says which."""

    slug = "storage-unavailable"

    def __init__(self, detail: str = "The image store cannot be reached right now.") -> None:
        super().__init__(detail)


class RequestTimedOut(ServiceUnavailable):
    slug = "request-timed-out"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"The request took longer than {seconds:g} s and was abandoned.")


# PostgreSQL's SQLSTATEs of an outage, as psycopg and asyncpg both give them (`sqlstate`).
# Class 08 is every connection exception; 57P01 to 57P03 a server shutting down, crashed or
# still starting; 57014 a statement cancelled, which is what statement_timeout does;
# 53300 too many connections.
_POSTGRES_CONNECTION_CLASS = "08"
_POSTGRES_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "57014", "53300"})
# A hot standby promoted from, or a primary demoted to one (read-only transaction), and
# a full disk.
_POSTGRES_UNWRITABLE = frozenset({"25006", "53100"})
# sqlite3's primary result codes: BUSY is its busy timeout running out, the statement
# timeout's counterpart; the others are a file that cannot take writes.
_SQLITE_UNAVAILABLE = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN})
_SQLITE_UNWRITABLE = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR})


def database_outage(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 an exception stands for when it is a database outage, else None (a bug).

    The one place that tells an outage from a bug, for FastAPI's last resort and the
    edge's alike. An exception raised from an outage (`raise ... from`, as a batch of
    writes reports its failed write) is that outage too.
    """
    seen: BaseException | None = exc
    while seen is not None:
        outage = _outage_of(seen)
        if outage is not None:
            outage.__cause__ = seen
            return outage
        seen = seen.__cause__
    return None


def _outage_of(exc: BaseException) -> ServiceUnavailable | None:
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return DatabaseUnavailable()
        return _outage_of(exc.orig) if exc.orig is not None else None
    # Connection refused or reset, the driver's DatabaseUnreachable, or no pooled
    # connection free within the pool timeout.
    if isinstance(exc, ConnectionError | sqlalchemy.exc.TimeoutError):
        return DatabaseUnavailable()
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith(_POSTGRES_CONNECTION_CLASS) or sqlstate in _POSTGRES_UNAVAILABLE:
            return DatabaseUnavailable()
        return DatabaseUnwritable() if sqlstate in _POSTGRES_UNWRITABLE else None
    # psycopg's operational errors without a SQLSTATE come from the client: the
    # connection failed or was lost, the server said nothing.
    if isinstance(exc, psycopg.OperationalError):
        return DatabaseUnavailable()
    if isinstance(exc, sqlite3.Error):
        # Extended codes (SQLITE_IOERR_WRITE) carry the primary code in the low byte.
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in _SQLITE_UNAVAILABLE:
            return DatabaseUnavailable()
        if code in _SQLITE_UNWRITABLE:
            return DatabaseUnwritable()
    return None


def last_resort(exc: BaseException) -> AppError:
    """What answers an exception nothing else handled: an outage's 503, or a bug's 500."""
    return database_outage(exc) or AppError(UNHANDLED_DETAIL)


def outage_line(outage: ServiceUnavailable) -> str:
    """The one log line of an outage: what it is, and the first line of what the driver
    said, whose next lines (SQL, parameters, a link) a reader of the log needs less."""
    cause = outage.__cause__
    if cause is None:
        return f"{outage.slug}: {outage.detail}"
    reason = str(cause).strip().partition("\n")[0] or "no message"
    return f"{outage.slug}: {type(cause).__name__}: {reason}"
