"""The layers of the full stack below the edge: body limits and ETags, and problem answers."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_TYPE_PREFIX, AppError, problem_response
from app.http import etag_for, etag_matches

MAX_BODY_BYTES = 1024 * 1024


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    status: int,
    detail: str,
    problem_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    """The app's problem response, sent from middleware below FastAPI's handlers."""
    response = problem_response(
        Request(scope), status, detail=detail, problem_type=problem_type, headers=headers
    )
    await response(scope, receive, send)


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """A limit other than the default for the paths `path` matches whole.

    A streamed limit is for uploads, whose endpoint writes the body to disk as it
    arrives: the body is counted on its way to the app instead of read first, since
    buffering would hold a whole file in memory.
    """

    path: re.Pattern[str]
    max_bytes: int
    streamed: bool = False

    def applies(self, path: str) -> bool:
        return self.path.fullmatch(path) is not None


class BodyTooLarge(AppError):
    """A streamed body passed its limit while the app was reading it."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    slug = "payload-too-large"


class BodySizeLimitMiddleware:
    """Refuses request bodies over the limit with 413, whether declared or streamed.

    A declared Content-Length over the limit is refused before the app runs. A body
    without one is read up to the limit before the app sees it, so the refusal
    comes before any parsing (a parser would report a cut-off body as malformed)
    and nothing has been written. On a streamed path (see BodyLimit) it is counted
    as the app reads it instead, and reading past the limit raises BodyTooLarge,
    which the app answers as its other errors, undoing what it had begun.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: Sequence[BodyLimit] = ()) -> None:
        self.app = app
        self.default = BodyLimit(re.compile(".*"), max_bytes)
        self.larger = tuple(larger)  # for the few bulk and upload endpoints

    def _limit(self, path: str) -> BodyLimit:
        return next((limit for limit in self.larger if limit.applies(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit.max_bytes:
            await self._refuse(scope, receive, send, limit.max_bytes)
            return
        if limit.streamed:
            await self.app(scope, _counted(receive, limit.max_bytes), send)
            return
        if length is not None:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit.max_bytes:
                await self._refuse(scope, receive, send, limit.max_bytes)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        await send_problem(
            scope,
            receive,
            send,
            status=413,
            detail=_too_large(limit),
            problem_type=PROBLEM_TYPE_PREFIX + "payload-too-large",
        )


def _too_large(limit: int) -> str:
    return f"Request bodies here are limited to {limit} bytes."


def _counted(receive: Receive, limit: int) -> Receive:
    """`receive`, raising BodyTooLarge once the body read so far passes `limit`; a
    Content-Length that understates the body is caught the same way."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise BodyTooLarge(_too_large(limit))
        return message

    return counted


class EnsureETagMiddleware:
    """Gives every successful GET a strong ETag and honours If-None-Match.

    Routes that know their ETag (stored documents, records) set it themselves and
    pass straight through; the rest (probes, token lists, the OpenAPI document)
    are buffered and hashed here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message["status"] != 200 or b"etag" in headers:
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await _send_with_etag(scope, send, start, b"".join(chunks))

        await self.app(scope, receive, buffer)


async def _send_with_etag(scope: Scope, send: Send, start: Message, body: bytes) -> None:
    etag = etag_for(body)
    headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
    headers.append((b"etag", etag.encode()))
    if_none_match = dict(scope["headers"]).get(b"if-none-match")
    if if_none_match is not None and etag_matches(if_none_match.decode("latin-1"), etag, weak=True):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
