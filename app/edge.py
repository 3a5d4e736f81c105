"""The edge: what every request passes first, and the fast path for stored reads.

One pure-ASGI layer gives every request its id, its access log line, its metrics
and its CORS headers, answers HEAD like GET (RFC 9110 9.3.2), bounds it by the
request timeout and sends the last resort: a 503 with Retry-After for a database
outage or a timeout (app.errors.database_outage tells which), else a 500.

A published article requested by slug is answered here, from the stored
document, before FastAPI's router: that request is most of a news
site's traffic, and the router, the dependency layer and five middlewares would
cost it more than the read itself. Whatever the fast path does not answer (a
query string, a slug it does not find, any other route) goes through the full
stack, whose article route remains the reference: the tests hold both to the
same bytes and headers, and the OpenAPI document describes that route.
An image rendition requested by its versioned URL is answered here too, from the
image store alone, once the route has rendered and stored it.
"""

import asyncio
import logging
import random
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.articles.query import list_query
from app.articles.responses import summary_page_response
from app.articles.service import find_articles
from app.container import Services
from app.errors import (
    AppError,
    InvalidCursor,
    RequestTimedOut,
    ServiceUnavailable,
    app_error_response,
    last_resort,
    outage_line,
)
from app.http import JSON_MEDIA_TYPE, etag_matches
from app.images.serving import (
    IMMUTABLE,
    VersionedURL,
    read_stored,
    rendition_etag,
    rendition_headers,
    versioned_url,
)
from app.logs import access_log
from app.media.renditions import FORMATS, rendition_key
from app.metrics import IN_FLIGHT, observe, route_template
from app.middleware import MAX_BODY_BYTES
from app.popularity.router import record_view
from app.types import Slug

log = logging.getLogger("byline.access")
ARTICLE_PREFIX = "/v1/articles/"
ARTICLE_TEMPLATE = "/v1/articles/{slug}"
LIST_PATH = "/v1/articles"
VIEWS_SUFFIX = "/views"
BEACON_TEMPLATE = ARTICLE_TEMPLATE + VIEWS_SUFFIX
IMAGES_PREFIX = "/v1/images/"
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

    def get(self, etag: bytes | None, body: bytes) -> bytes:
        """The body compressed, from the cache when it has an ETag."""
        if etag is None:
            return _gzip(body)
        compressed = self._bodies.get(etag)
        if compressed is None:
            compressed = self._bodies[etag] = _gzip(body)
            if len(self._bodies) > self.entries:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(etag)
        return compressed


def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


class _Incoming:
    """The request headers the edge acts on, read in one pass."""

    __slots__ = (
        "accept_encoding",
        "content_length",
        "head",
        "if_none_match",
        "origin",
        "request_id",
    )

    def __init__(self, scope: Scope) -> None:
        request_id = self.if_none_match = self.accept_encoding = self.origin = None
        self.content_length: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = _request_id(value)
            elif name == b"if-none-match":
                self.if_none_match = value
            elif name == b"content-length":
                self.content_length = value
            elif name == b"accept-encoding":
                self.accept_encoding = value
            elif name == b"origin":
                self.origin = value
        # Not a secret, only unique: the process's generator (reseeded in each forked
        # worker) costs no system call, as os.urandom and uuid4 do.
        self.request_id: str = request_id or f"{random.getrandbits(128):032x}"
        self.head = scope["method"] == "HEAD"


class _Reply(NamedTuple):
    """A stored read's answer before the edge adds what middleware would."""

    status: int
    # Without Content-Length and Content-Type, which depend on the encoding sent.
    headers: list[tuple[bytes, bytes]]
    body: bytes
    content_type: bytes | None


def _reply_of(response: Response) -> _Reply:
    content_type = None
    headers = []
    for name, value in response.raw_headers:
        if name == b"content-type":
            content_type = value
        elif name != b"content-length":
            headers.append((name, value))
    return _Reply(response.status_code, headers, bytes(response.body), content_type)


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
        self.request_timeout = services.settings.request_timeout_seconds
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
        incoming = _Incoming(scope)
        request_id = incoming.request_id
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        answer = _Answer()
        template: str | None = None
        IN_FLIGHT.inc()
        deadline = asyncio.timeout(self.request_timeout)
        try:
            async with deadline:
                reply = None
                if self.fast_reads:
                    reply, template = await self._fast(scope, receive, incoming)
                if reply is not None:
                    await self._send_reply(send, answer, incoming, reply)
                else:
                    template = None
                    await self._full_stack(scope, receive, send, answer, incoming)
        except Exception as exc:
            timed_out = deadline.expired()
            error = RequestTimedOut(self.request_timeout) if timed_out else last_resort(exc)
            if isinstance(error, ServiceUnavailable):
                # Expected while it lasts, and one line each: a traceback per request
                # would bury the log.
                log.warning(outage_line(error), extra={"request_id": request_id})
            else:
                log.exception("unhandled error", extra={"request_id": request_id})
            if not answer.started:
                answer.status = error.status
                await self._send_error(scope, receive, send, request_id, error)
            elif not answer.complete and not isinstance(error, ServiceUnavailable):
                # A response cut off halfway can only be ended by dropping the connection:
                # a bug's traceback goes with it. An outage or a timeout returns instead,
                # which has the server close the connection with a line of its own.
                raise
        finally:
            IN_FLIGHT.dec()
            seconds = time.perf_counter() - started
            if template is None:
                template = route_template(scope, self.route_templates)
            observe(method, template, answer.status, seconds)
            access_log(request_id, method, scope["path"], answer.status, seconds)

    async def _send_error(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, error: AppError
    ) -> None:
        """The last resort's problem, through CORS, when nothing of an answer was sent."""
        response = app_error_response(Request(scope), error)
        response.headers["X-Request-ID"] = request_id
        cors_send = partial(self.cors.send, send=send, request_headers=Headers(scope=scope))
        await response(scope, receive, cors_send)

    async def _full_stack(
        self, scope: Scope, receive: Receive, send: Send, answer: "_Answer", incoming: "_Incoming"
    ) -> None:
        """Everything the fast path does not answer, through CORS and FastAPI."""
        id_header = (b"x-request-id", incoming.request_id.encode())
        head = incoming.head

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

    async def _fast(
        self, scope: Scope, receive: Receive, incoming: "_Incoming"
    ) -> tuple["_Reply | None", str | None]:
        """The fast path's answer and its route template, when it has one."""
        method, path = scope["method"], scope["path"]
        if method == "GET" or method == "HEAD":
            if path == LIST_PATH:
                return await self._list(scope, incoming), LIST_PATH
            if path.startswith(ARTICLE_PREFIX) and not scope["query_string"]:
                return await self._article(scope, incoming), ARTICLE_TEMPLATE
            if path.startswith(IMAGES_PREFIX) and scope["query_string"]:
                url = versioned_url(path, scope["query_string"], self.services.rendition_rules)
                if url is not None:
                    return await self._rendition(url, incoming), url.template
        elif (
            method == "POST"
            and path.startswith(ARTICLE_PREFIX)
            and path.endswith(VIEWS_SUFFIX)
            and not scope["query_string"]
        ):
            return await self._beacon(scope, receive, incoming), BEACON_TEMPLATE
        return None, None

    async def _article(self, scope: Scope, incoming: "_Incoming") -> "_Reply | None":
        """A published article from its stored document; None when the full stack must answer."""
        slug = scope["path"][len(ARTICLE_PREFIX) :]
        try:
            _SLUG.validate_python(slug)
        except ValidationError:
            return None
        services = self.services
        stored = await services.documents.by_slug(slug, services.clock())
        if stored is None:
            return None  # a redirect from an old slug, or the 404: both in the route
        headers = [
            (b"etag", stored.etag.encode()),
            (b"cache-control", self._cache_control),
            (b"surrogate-key", stored.surrogate_keys.encode()),
        ]
        if incoming.if_none_match is not None and etag_matches(
            incoming.if_none_match.decode("latin-1"), stored.etag, weak=True
        ):
            return _Reply(304, headers, b"", None)
        return _Reply(200, headers, stored.document, _JSON)

    async def _rendition(self, url: VersionedURL, incoming: "_Incoming") -> "_Reply | None":
        """A rendition already stored, by its versioned URL, with no database read: the
        version names the file. None when it is not stored yet (the route renders it)."""
        rendition = url.rendition
        body = await read_stored(
            self.services.media, rendition_key(url.image_id, url.version, rendition)
        )
        if body is None:
            return None
        etag = rendition_etag(url.version, rendition)
        headers = [
            (name.lower().encode(), value.encode())
            for name, value in rendition_headers(url.image_id, etag, IMMUTABLE).items()
        ]
        if incoming.if_none_match is not None and etag_matches(
            incoming.if_none_match.decode("latin-1"), etag, weak=True
        ):
            return _Reply(304, headers, b"", None)
        return _Reply(200, headers, body, FORMATS[rendition.format].encode())

    async def _list(self, scope: Scope, incoming: "_Incoming") -> "_Reply | None":
        """A page of /v1/articles from stored summaries; None when the full stack must answer."""
        query = list_query(scope["query_string"])
        if query is None:
            return None
        services = self.services
        try:
            page = await find_articles(
                services.summaries,
                now=services.clock(),
                filters=query.filters,
                limit=query.limit,
                cursor=query.cursor,
            )
        except InvalidCursor:
            return None
        # The route's own response, so both paths build the same headers and body.
        return _reply_of(summary_page_response(Request(scope), page, surrogate_keys=("articles",)))

    async def _beacon(
        self, scope: Scope, receive: Receive, incoming: "_Incoming"
    ) -> "_Reply | None":
        """A page-view beacon, by the route's own function; None for the full stack."""
        slug = scope["path"][len(ARTICLE_PREFIX) : -len(VIEWS_SUFFIX)]
        length = incoming.content_length
        # A streamed or oversized body is the full stack's to refuse with 413.
        if length is None or not length.isdigit() or int(length) > MAX_BODY_BYTES:
            return None
        try:
            _SLUG.validate_python(slug)
        except ValidationError:
            return None
        request = Request(scope, receive)
        try:
            response = await record_view(request, slug)
        except AppError as exc:
            response = app_error_response(request, exc)
        return _reply_of(response)

    async def _send_reply(
        self, send: Send, answer: "_Answer", incoming: "_Incoming", reply: "_Reply"
    ) -> None:
        """What the full stack's middleware would add: gzip, Vary, CORS and the request id."""
        headers, body = reply.headers, reply.body
        if reply.status == 304:
            vary = b"Origin"
        else:
            # Images are compressed already: GZipMiddleware leaves them alone, and so here.
            if len(body) >= self.gzip_minimum and not _is_image(reply.content_type):
                vary = b"Accept-Encoding, Origin"
                if incoming.accept_encoding is not None and b"gzip" in incoming.accept_encoding:
                    body = self.gzip.get(dict(headers).get(b"etag"), body)
                    headers.append((b"content-encoding", b"gzip"))
            else:
                vary = b"Origin"
            headers.insert(0, (b"content-length", str(len(body)).encode()))
            if reply.content_type is not None:
                headers.insert(1, (b"content-type", reply.content_type))
        headers.append((b"vary", vary))
        if incoming.origin is not None:
            self._add_cors(headers, incoming.origin)
        headers.append((b"x-request-id", incoming.request_id.encode()))
        answer.status = reply.status
        answer.started = True
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if incoming.head else body})
        answer.complete = True

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


def _is_image(content_type: bytes | None) -> bool:
    return content_type is not None and content_type.startswith(b"image/")


def cors_factory(**options: Any) -> Callable[[ASGIApp], CORSMiddleware]:
    return lambda app: CORSMiddleware(app, **options)
