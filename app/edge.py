"""The edge: what every request passes first, and the fast path for stored reads.

One pure-ASGI layer gives every request its id, its access log line, its metrics
and its CORS headers, answers HEAD like GET (RFC 9110 9.3.2) and sends the
last-resort 500. A published article requested by slug is answered here, from
the stored document, before FastAPI's router: that request is most of a news
site's traffic, and the router, the dependency layer and five middlewares would
cost it more than the read itself. Whatever the fast path does not answer (a
query string, a slug it does not find, any other route) goes through the full
stack, whose article route remains the reference: the tests hold both to the
same bytes and headers, and the OpenAPI document describes that route.
"""

import logging
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.container import Services
from app.errors import PROBLEM_TYPE_PREFIX, UNHANDLED_DETAIL, AppError
from app.http import JSON_MEDIA_TYPE, etag_matches
from app.logs import access_log
from app.metrics import IN_FLIGHT, observe, route_template
from app.middleware import send_problem
from app.types import Slug

log = logging.getLogger("byline.access")
ARTICLE_PREFIX = "/v1/articles/"
ARTICLE_TEMPLATE = "/v1/articles/{slug}"
_SLUG = TypeAdapter(Slug)
_SAFE_ID = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_JSON = JSON_MEDIA_TYPE.encode()
# Matches GZipMiddleware's default, so both paths send the same bytes.
GZIP_LEVEL = 9


def _request_id(value: bytes) -> str | None:
    """A caller's X-Request-ID, kept only when it is short and plain."""
    if 0 < len(value) <= 64 and _SAFE_ID.issuperset(value):
        return value.decode()
    return None


class _GzipCache:
    """Compressed documents by ETag: a strong ETag names exactly one body, so an
    entry can never be stale, and a popular article is compressed once, not per request."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._bodies: OrderedDict[bytes, bytes] = OrderedDict()

    def get(self, etag: bytes, body: bytes) -> bytes:
        compressed = self._bodies.get(etag)
        if compressed is None:
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            compressed = compressor.compress(body) + compressor.flush()
            self._bodies[etag] = compressed
            if len(self._bodies) > self.entries:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(etag)
        return compressed


class _Answer:
    """How far a request's answer got, for its log line and its last resort."""

    __slots__ = ("complete", "started", "status")

    def __init__(self) -> None:
        self.status = 500
        self.started = False
        self.complete = False


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        services: Services,
        route_templates: dict[int, str],
        cors: Callable[[ASGIApp], CORSMiddleware],
        fast_reads: bool = True,
    ) -> None:
        self.services = services
        # Metrics label requests by template; see app.metrics.route_template.
        self.route_templates = route_templates
        self.cors = cors(app)
        self.fast_reads = fast_reads
        self.gzip_minimum = services.settings.gzip_minimum_size
        self.gzip = _GzipCache(entries=256)
        public = services.public_headers
        self._cache_control = public.cache_control.encode()
        self._cors_simple = [
            (k.lower().encode(), v.encode()) for k, v in self.cors.simple_headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.cors.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id: str | None = None
        if_none_match = accept_encoding = origin = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = _request_id(value)
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"origin":
                origin = value
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        answer = _Answer()
        template: str | None = None
        IN_FLIGHT.inc()
        try:
            if (
                self.fast_reads
                and (method == "GET" or method == "HEAD")
                and not scope["query_string"]
                and scope["path"].startswith(ARTICLE_PREFIX)
                and await self._article(
                    scope, send, answer, request_id, if_none_match, accept_encoding, origin
                )
            ):
                template = ARTICLE_TEMPLATE
            else:
                await self._full_stack(scope, receive, send, answer, request_id)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            if answer.started:
                # FastAPI's own last resort sent a whole 500; a response cut off
                # halfway can only be ended by dropping the connection.
                if not answer.complete:
                    raise
            else:
                answer.status = 500
                await send_problem(
                    scope,
                    receive,
                    partial(self.cors.send, send=send, request_headers=Headers(scope=scope)),
                    status=500,
                    detail=UNHANDLED_DETAIL,
                    problem_type=PROBLEM_TYPE_PREFIX + AppError.slug,
                    headers={"X-Request-ID": request_id},
                )
        finally:
            IN_FLIGHT.dec()
            seconds = time.perf_counter() - started
            if template is None:
                template = route_template(scope, self.route_templates)
            observe(method, template, answer.status, seconds)
            access_log(request_id, method, scope["path"], answer.status, seconds)

    async def _full_stack(
        self, scope: Scope, receive: Receive, send: Send, answer: "_Answer", request_id: str
    ) -> None:
        """Everything the fast path does not answer, through CORS and FastAPI."""
        id_header = (b"x-request-id", request_id.encode())
        head = scope["method"] == "HEAD"

        async def send_out(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                answer.started = True
                message["headers"] = [*message.get("headers", []), id_header]
            elif message["type"] == "http.response.body":
                more = message.get("more_body", False)
                answer.complete = not more
                if head:
                    if more:
                        return
                    message = {"type": "http.response.body", "body": b""}
            await send(message)

        inner = {**scope, "method": "GET"} if head else scope
        try:
            await self.cors(inner, receive, send_out)
        finally:
            # Routing marks the copy; the request's metrics need the route it found.
            if head and "route" in inner:
                scope["route"] = inner["route"]

    async def _article(
        self,
        scope: Scope,
        send: Send,
        answer: "_Answer",
        request_id: str,
        if_none_match: bytes | None,
        accept_encoding: bytes | None,
        origin: bytes | None,
    ) -> bool:
        """A published article from its stored document; False when the full stack must answer."""
        slug = scope["path"][len(ARTICLE_PREFIX) :]
        try:
            _SLUG.validate_python(slug)
        except ValidationError:
            return False
        services = self.services
        stored = await services.documents.by_slug(slug, services.clock())
        if stored is None:
            return False  # a redirect from an old slug, or the 404: both in the route
        etag = stored.etag.encode()
        headers = [
            (b"etag", etag),
            (b"cache-control", self._cache_control),
            (b"surrogate-key", stored.surrogate_keys.encode()),
        ]
        body = stored.document
        if if_none_match is not None and etag_matches(
            if_none_match.decode("latin-1"), stored.etag, weak=True
        ):
            status, body, vary = 304, b"", b"Origin"
        else:
            status = 200
            headers.insert(0, (b"content-type", _JSON))
            if len(body) >= self.gzip_minimum:
                vary = b"Accept-Encoding, Origin"
                if accept_encoding is not None and b"gzip" in accept_encoding:
                    body = self.gzip.get(etag, body)
                    headers.append((b"content-encoding", b"gzip"))
            else:
                vary = b"Origin"
            headers.insert(0, (b"content-length", str(len(body)).encode()))
        headers.append((b"vary", vary))
        if origin is not None:
            self._add_cors(headers, origin)
        headers.append((b"x-request-id", request_id.encode()))
        answer.status = status
        answer.started = True
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
        answer.complete = True
        return True

    def _add_cors(self, headers: list[tuple[bytes, bytes]], origin: bytes) -> None:
        """CORSMiddleware's answer to a simple request, with Vary already carrying Origin."""
        headers.extend(self._cors_simple)
        cors = self.cors
        explicit = (
            cors.allow_credentials
            if cors.allow_all_origins
            else (cors.is_allowed_origin(origin.decode("latin-1")))
        )
        if explicit:
            headers[:] = [h for h in headers if h[0] != b"access-control-allow-origin"]
            headers.append((b"access-control-allow-origin", origin))


def cors_factory(**options: Any) -> Callable[[ASGIApp], CORSMiddleware]:
    return lambda app: CORSMiddleware(app, **options)
