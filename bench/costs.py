"""Where the microseconds of one article read go: a cost table, measured in-process.

`python -m bench.costs` loads the demo newsroom into a throwaway SQLite database,
drives Byline's ASGI app directly (no server, no sockets) with one
`GET /v1/articles/{slug}`, and times it whole, then with one layer removed or
replaced at a time, then pieces of the request alone. A bare FastAPI app with one
`async def` route returning the same bytes with an ETag is timed beside it.

Rows marked "measured" are a timing of their own; rows marked "derived" are the
difference of two timings (the whole request minus the request without that
layer), so they do not add up exactly: what is left is shown as unattributed.
Layers are found by walking the app as built, and a piece the code no longer has
is skipped, so the script runs unchanged on later versions of the request path.

When the app has an edge in front of FastAPI's entry (app.edge) whose fast path
answers the request, FastAPI's layers never see it: the table then shows the
edge's pieces alone (header pass, reply, sends, log line, metrics), what the
request loses without its read, log line or metrics, and the same app with the
fast path off. Both kinds of table end with what uvicorn's own protocol costs to
send the same two messages, which the in-process timings leave out.

`--server` adds the server's share: CPU per request of the bare app and of
`byline serve` under wrk, read from /proc, minus their in-process cost.
"""

import argparse
import asyncio
import gc
import gzip
import hashlib
import inspect
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Scope

DEFAULT_SLUG = "climate-diplomacy-cannot-keep-stepping-around-war-zones"
# The bare app's route, and the environment that hands it its bytes under uvicorn.
BARE_BODY_ENV = "BYLINE_COSTS_BODY_FILE"
BARE_PATH_ENV = "BYLINE_COSTS_PATH"
HOST_HEADER = (b"host", b"127.0.0.1:8000")
ORIGIN_HEADER = (b"origin", b"https://www.example.com")
GZIP_HEADER = (b"accept-encoding", b"gzip, deflate, br")


# ---------------------------------------------------------------- the request


def http_scope(path: str, headers: Sequence[tuple[bytes, bytes]]) -> Scope:
    """The scope uvicorn builds for a keep-alive GET, minus the per-request state."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": list(headers),
    }


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    return None


@dataclass
class Captured:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k == name), None)

    def decoded(self) -> bytes:
        """The body as the client reads it, gzip undone."""
        if self.header(b"content-encoding") == b"gzip":
            return gzip.decompress(self.body)
        return self.body


async def respond(app: ASGIApp, scope: Scope) -> Captured:
    captured = Captured()
    await app({**scope, "state": {}}, _receive, captured.send)
    return captured


class Prebuilt:
    """An ASGI app that sends a response captured earlier: the floor of any route."""

    def __init__(self, captured: Captured) -> None:
        self.start = {"type": "http.response.start", "status": captured.status}
        self.headers = captured.headers
        self.body = captured.body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await send({**self.start, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


# ---------------------------------------------------------------- the apps


def bare_app(path: str, body: bytes) -> FastAPI:
    """The ceiling: one async route, no middleware, the same bytes with an ETag."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'

    async def article() -> Response:
        return Response(body, media_type="application/json", headers={"ETag": etag})

    app.add_api_route(path, article, methods=["GET"])
    return app


def bare_app_from_env() -> FastAPI:
    """The bare app for `uvicorn --factory`, its bytes and path from the environment."""
    return bare_app(os.environ[BARE_PATH_ENV], Path(os.environ[BARE_BODY_ENV]).read_bytes())


def make_demo_database(directory: Path) -> str:
    """A new SQLite file with the demo newsroom, made as an operator makes one."""
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    byline = Path(sys.executable).with_name("byline")
    command = [str(byline)] if byline.exists() else [sys.executable, "-m", "app.cli"]
    for step in ("migrate", "load-demo"):
        subprocess.run([*command, step], env=env, check=True, capture_output=True)
    return url


def byline_app(database_url: str) -> FastAPI:
    """Byline's app as `byline serve` builds it, its settings from the environment."""
    os.environ["DATABASE_URL"] = database_url
    from app.main import create_app

    app = create_app()
    # The log line is formatted and written as under a server; only the file differs.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger("byline").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    return app


# ---------------------------------------------------------------- timing


Run = Callable[[], Any]


@dataclass
class Case:
    """One thing timed: a zero-argument callable (sync or async), with set-up around it."""

    name: str
    run: Run
    enter: Callable[[], None] = lambda: None
    leave: Callable[[], None] = lambda: None
    # A case that differs from another by one layer is timed right after it, each
    # round, so their difference is taken between neighbouring batches.
    paired_with: "Case | None" = None
    per_call_us: list[float] = field(default_factory=list)
    baseline_us: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.per_call_us)

    @property
    def median(self) -> float:
        return statistics.median(self.per_call_us)


async def _time_batch(case: Case, calls: int) -> float:
    run = case.run
    case.enter()
    try:
        gc.collect()
        if inspect.iscoroutinefunction(run) or _returns_awaitable(run):
            start = time.process_time_ns()
            for _ in range(calls):
                await run()
        else:
            start = time.process_time_ns()
            for _ in range(calls):
                run()
        return (time.process_time_ns() - start) / calls / 1000
    finally:
        case.leave()


def _returns_awaitable(run: Run) -> bool:
    return bool(getattr(run, "returns_awaitable", False))


def awaiting(run: Callable[[], Awaitable[Any]]) -> Run:
    """Marks a lambda that returns an awaitable, so the timer awaits it."""
    run.returns_awaitable = True  # type: ignore[attr-defined]
    return run


async def measure(cases: Sequence[Case], rounds: int, calls: int) -> None:
    """Interleaves the cases round by round, so a noisy moment hurts them all alike."""
    for case in cases:
        await _time_batch(case, max(1, calls // 10))  # warm caches and lazy set-up
    for _ in range(rounds):
        for case in cases:
            if case.paired_with is not None:
                case.baseline_us.append(await _time_batch(case.paired_with, calls))
            case.per_call_us.append(await _time_batch(case, calls))


# ---------------------------------------------------------------- the layers


def middleware_chain(app: FastAPI) -> list[Any]:
    """A fresh middleware stack of `app`, outermost first, down to (not including) its router."""
    layers: list[Any] = []
    node: Any = app.build_middleware_stack()
    while node is not app.router and hasattr(node, "app"):
        layers.append(node)
        node = node.app
    return layers


def stack_without(app: FastAPI, index: int) -> Any:
    """A fresh stack with the layer at `index` (outermost is 0) left out."""
    layers = middleware_chain(app)
    if index == 0:
        return layers[0].app
    layers[index - 1].app = layers[index].app
    return layers[0]


def stack_with_router(app: FastAPI, router: Any) -> Any:
    """A fresh stack whose innermost layer calls `router` instead of the app's router."""
    layers = middleware_chain(app)
    if not layers:
        return router
    layers[-1].app = router
    return layers[0]


class Replay:
    """Routing already done: adds what the router adds to the scope and calls the route."""

    def __init__(self, routed: Scope, route_app: ASGIApp) -> None:
        self.routed = routed
        self.route_app = route_app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        # Routing makes its nested dicts per request; so does the replay.
        scope.update({k: dict(v) if isinstance(v, dict) else v for k, v in self.routed.items()})
        await self.route_app(scope, receive, send)


class Spy:
    """Passes a request through, keeping a copy of its scope and what it sent."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self.scope: Scope = {}
        self.sent = Captured()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self.scope = dict(scope)

        async def both(message: Message) -> None:
            await self.sent.send(dict(message))
            await send(message)

        await self.inner(scope, receive, both)


@dataclass
class Target:
    """The object holding the ASGI app routing hands the article request to."""

    holder: Any
    candidates_walked: int


def find_target(app: FastAPI, scope: Scope) -> Target | None:
    """The route (or, in FastAPI's included routers, its effective context) that answers."""
    from starlette.routing import Match

    walked = 0
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for candidate in list(contexts()) if contexts is not None else [route]:
            walked += 1
            if candidate.matches({**scope, "app": app})[0] is Match.FULL:
                if getattr(candidate, "app", None) is None:
                    return None
                return Target(candidate, walked)
    return None


def _nothing(*args: Any) -> None:
    return None


class _NullTransport:
    """A socket that takes every write and drops it."""

    def write(self, data: bytes) -> None:
        return None

    def close(self) -> None:
        return None

    def is_closing(self) -> bool:
        return False


class _OpenFlow:
    """uvicorn's flow control when the client reads as fast as the server writes."""

    write_paused = False


@contextmanager
def _temporary_attribute(owner: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def swap(owner: Any, name: str, value: Any) -> tuple[Callable[[], None], Callable[[], None]]:
    """enter/leave callables that set an attribute for a batch and put it back."""
    manager: list[Any] = []

    def enter() -> None:
        context = _temporary_attribute(owner, name, value)
        context.__enter__()
        manager.append(context)

    def leave() -> None:
        manager.pop().__exit__(None, None, None)

    return enter, leave


def optional(module: str, name: str) -> Any:
    """An attribute of a module of the app, or None when this version has none."""
    try:
        imported = __import__(module, fromlist=[name])
    except ImportError:
        return None
    return getattr(imported, name, None)


# ---------------------------------------------------------------- the table


class CostBench:
    """Builds every case for one app and one request, then reads the table off them."""

    def __init__(self, app: FastAPI, slug: str, headers: Sequence[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.slug = slug
        self.path = f"/v1/articles/{slug}"
        self.scope = http_scope(self.path, headers)
        self.cases: dict[str, Case] = {}
        self.routed_scope: Scope = {}
        self.layers = [type(layer).__name__ for layer in middleware_chain(app)]
        self.routes_walked: int | None = None
        self.notes: list[str] = []

    def add(
        self,
        name: str,
        run: Run,
        swaps: Sequence[tuple[Any, str, Any]] = (),
        paired_with: str | None = None,
    ) -> None:
        """A case; each swap sets an attribute for the case's batches only."""
        pairs = [swap(*each) for each in swaps]

        def enter() -> None:
            for pair in pairs:
                pair[0]()

        def leave() -> None:
            for pair in reversed(pairs):
                pair[1]()

        pair = self.cases[paired_with] if paired_with is not None else None
        self.cases[name] = Case(name, run, enter, leave, paired_with=pair)

    def _request(self, app: ASGIApp, extra: Scope | None = None) -> Run:
        scope = {**self.scope, **(extra or {})}
        return awaiting(lambda: app({**scope, "state": {}}, _receive, _discard))

    def add_request(
        self, name: str, stack: Any, swaps: Sequence[tuple[Any, str, Any]] = ()
    ) -> None:
        """The whole request through the app's own __call__, with `stack` as its middleware,
        timed beside the whole app as shipped."""
        self.add(
            name,
            self._request(self.app),
            [(self.app, "middleware_stack", stack), *swaps],
            paired_with="byline" if name != "byline" else None,
        )

    async def build(self, bare: FastAPI) -> None:
        app = self.app
        whole = await respond(app, self.scope)
        if whole.status != 200:
            raise SystemExit(f"GET {self.path} answered {whole.status}, not 200")
        bare_whole = await respond(bare, self.scope)
        if bare_whole.decoded() != whole.decoded():
            raise SystemExit("the bare app does not send the article's bytes")
        self.document_bytes = len(whole.decoded())
        self.add_request("byline", middleware_chain(app)[0])
        self.add("bare", self._request(bare))
        self.add("floor", self._request(Prebuilt(whole)))
        self._add_uvicorn_sends("uvicorn sends", Prebuilt(whole))
        self._add_uvicorn_sends("uvicorn sends bare", Prebuilt(bare_whole))
        edge = getattr(app, "edge", None)
        if getattr(edge, "fast_reads", False):
            await self._add_edge_cases(edge)
            return
        self.add(
            "no app entry",
            self._request(middleware_chain(app)[0], {"app": app}),
            paired_with="byline",
        )
        for index, name in enumerate(self.layers):
            self.add_request(f"no {name}", stack_without(app, index))
        await self._add_route_cases()
        self._add_context_cases()
        await self._add_pieces()

    async def _add_route_cases(self) -> None:
        target = find_target(self.app, self.scope)
        layers = middleware_chain(self.app)
        if target is None or not layers:
            self.notes.append("no route found for the article path: routing rows skipped")
            return
        self.routes_walked = target.candidates_walked
        holder = target.holder
        # One real request with spies at the router's door and at the route's: what
        # routing adds to the scope, and what the route itself sends.
        entry, arrival = Spy(self.app.router), Spy(holder.app)
        layers[-1].app = entry
        with _temporary_attribute(holder, "app", arrival):
            await respond(self._request_stack(layers[0]), self.scope)
        if not arrival.scope:
            self.notes.append("the request never reaches the route: routing rows skipped")
            self.routes_walked = None
            return
        routed = {k: v for k, v in arrival.scope.items() if entry.scope.get(k, self) is not v}
        self.routed_scope = {**entry.scope, **routed}
        self.add_request("no routing", stack_with_router(self.app, Replay(routed, holder.app)))
        sent = arrival.sent
        stack = middleware_chain(self.app)[0]
        self.add_request("route sends prebuilt", stack, [(holder, "app", Prebuilt(sent))])
        request_response = optional("fastapi.routing", "request_response")
        if request_response is None:
            return
        response = Response(sent.body, status_code=sent.status)
        response.raw_headers = list(sent.headers)

        async def endpoint(request: Any) -> Response:
            return response

        self.add_request(
            "endpoint returns prebuilt", stack, [(holder, "app", request_response(endpoint))]
        )

    def _add_uvicorn_sends(self, name: str, prebuilt: Prebuilt) -> None:
        """The captured response sent into uvicorn's own protocol, its bytes written to a
        transport that drops them: what the server does with the two ASGI sends."""
        cycle = optional("uvicorn.protocols.http.httptools_impl", "RequestResponseCycle")
        if cycle is None:
            return
        scope = {**self.scope, "state": {}}
        transport, flow, quiet = _NullTransport(), _OpenFlow(), logging.getLogger("costs")
        # What `byline serve` adds to every response: uvicorn's Date, no Server header.
        defaults = [(b"date", b"Sun, 29 Nov 2026 12:00:00 GMT")]

        async def run() -> None:
            fresh = cycle(
                scope,
                transport,
                flow,
                quiet,
                quiet,
                False,
                defaults,
                asyncio.Event(),
                False,
                True,
                _nothing,
            )
            await prebuilt(scope, _receive, fresh.send)

        self.add(name, run)

    async def _add_edge_cases(self, edge: Any) -> None:
        """An edge in front of FastAPI's entry (app.edge): the same app with the fast path
        off, the edge's pieces alone, and its log line, metrics and read taken out."""
        self.add_request("full stack", middleware_chain(self.app)[0], [(edge, "fast_reads", False)])
        self.notes.append(
            "the edge answers before FastAPI: its middleware and routing rows are left out"
        )
        module = sys.modules[type(edge).__module__]
        stack = middleware_chain(self.app)[0]
        scope = {**self.scope, "state": {}, "app": self.app}
        incoming_of = getattr(module, "_Incoming", None)
        article = getattr(edge, "_article", None)
        if incoming_of is not None and article is not None:
            incoming = incoming_of(scope)
            self.add("edge headers", lambda: incoming_of(scope))
            self.add("edge reply", awaiting(lambda: article(scope, incoming)))
            reply = await article(scope, incoming)
            answer_of, send_reply = getattr(module, "_Answer", None), edge._send_reply
            if reply is not None and answer_of is not None:
                # The reply's header list is extended in place, so each call gets a copy.
                def fresh() -> Any:
                    return reply._replace(headers=[*reply.headers])

                self.add(
                    "edge sends",
                    awaiting(lambda: send_reply(_discard, answer_of(), incoming, fresh())),
                )
        log_line = getattr(module, "access_log", None)
        if log_line is not None:
            request_id = f"{uuid.uuid4().int:032x}"
            path = self.path
            self.add("access log line", lambda: log_line(request_id, "GET", path, 200, 0.00031))
            self.add_request("no access log", stack, [(module, "access_log", _nothing)])
        observe = getattr(module, "observe", None)
        template = getattr(module, "ARTICLE_TEMPLATE", self.path)
        if observe is not None:
            self.add("metrics update", lambda: observe("GET", template, 200, 0.00031))
            self.add_request("no metrics", stack, [(module, "observe", _nothing)])
        stored = await self._add_read_pieces()
        reader = getattr(edge.services, "documents", None)
        if reader is not None and stored is not None:

            async def stored_already(slug: str, now: Any) -> Any:
                return stored

            self.add_request("no read", stack, [(reader, "by_slug", stored_already)])

    def _request_stack(self, stack: Any) -> ASGIApp:
        app = self.app

        async def through(scope: Scope, receive: Any, send: Any) -> None:
            with _temporary_attribute(app, "middleware_stack", stack):
                await app(scope, receive, send)

        return through

    def _add_context_cases(self) -> None:
        middleware = sys.modules.get("app.middleware")
        if middleware is None:
            return
        stack = middleware_chain(self.app)[0]
        access = getattr(middleware, "log", None)
        if isinstance(access, logging.Logger):
            # As LOG_LEVEL=warning does: the line is skipped before it is built.
            self.add_request("no access log", stack, [(access, "disabled", True)])
        if hasattr(middleware, "observe_request"):
            self.add_request(
                "no metrics", stack, [(middleware, "observe_request", lambda *args: None)]
            )

    async def _add_pieces(self) -> None:
        """Pieces of the request timed alone (each through a small lambda)."""
        stored = await self._add_read_pieces()
        services = getattr(self.app.state, "services", None)
        if services is not None:
            await self._add_response_pieces(services, stored)
        log_request = optional("app.middleware", "_log_request")
        if log_request is not None:
            scope = {**self.scope, "state": {}}
            request_id = uuid.uuid4().hex
            self.add("access log line", lambda: log_request(scope, 200, 0.00031, request_id))
        self.add("request id", lambda: uuid.uuid4().hex)
        if self.routes_walked is None:
            return
        observe = optional("app.metrics", "observe_request")
        templates = next(
            (
                layer.route_templates
                for layer in middleware_chain(self.app)
                if hasattr(layer, "route_templates")
            ),
            None,
        )
        if observe is not None and templates is not None:
            routed = self.routed_scope
            self.add("metrics update", lambda: observe(routed, 200, 0.00031, templates))
        routes, scope = self.app.router.routes, {**self.scope, "app": self.app}
        self.add("route matching", lambda: _walk(routes, scope))

    async def _add_read_pieces(self) -> Any:
        """The read, the clock and the slug check alone; returns the stored document."""
        slug, stored = self.slug, None
        services = getattr(self.app.state, "services", None)
        reader = getattr(services, "documents", None)
        if services is not None and reader is not None:
            now = services.clock()
            self.add("clock", services.clock)
            self.add("read", awaiting(lambda: reader.by_slug(slug, now)))
            stored = await reader.by_slug(slug, now)
        slug_type = optional("app.types", "Slug")
        if slug_type is not None:
            from pydantic import TypeAdapter

            validate = TypeAdapter(slug_type).validate_python
            self.add("slug validated", lambda: validate(slug))
        return stored

    async def _add_response_pieces(self, services: Any, stored: Any) -> None:
        public_response = optional("app.http", "public_response")
        if public_response is None or stored is None:
            return
        from starlette.requests import Request

        scope = {**self.scope, "app": self.app}
        headers = services.public_headers

        def build() -> Response:
            response: Response = public_response(
                Request(scope),
                headers,
                stored.document,
                etag=stored.etag,
                surrogate_keys=stored.surrogate_keys,
            )
            return response

        self.add("headers and Response", build)
        response = build()
        self.add("Response sent", awaiting(lambda: response(scope, _receive, _discard)))


def _walk(routes: Sequence[Any], scope: Scope) -> None:
    from starlette.routing import Match

    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return


# ---------------------------------------------------------------- the table


@dataclass
class Row:
    label: str
    best: float
    median: float
    how: str  # "measured" alone or "derived" as a difference
    depth: int = 0


class Costs:
    """Rows of the cost table, from the timings of a CostBench."""

    def __init__(self, bench: CostBench) -> None:
        self.bench = bench
        self.rows: list[Row] = []

    def has(self, *names: str) -> bool:
        return all(
            name in self.bench.cases and self.bench.cases[name].per_call_us for name in names
        )

    def measured(self, label: str, name: str, depth: int) -> Row | None:
        if not self.has(name):
            return None
        case = self.bench.cases[name]
        row = Row(label, case.best, case.median, "measured", depth)
        self.rows.append(row)
        return row

    def minus(self, label: str, whole: str, without: str, depth: int) -> Row | None:
        if not self.has(whole, without):
            return None
        a, b = self.bench.cases[whole], self.bench.cases[without]
        if b.paired_with is a:
            pairs = [base - alone for base, alone in zip(b.baseline_us, b.per_call_us, strict=True)]
            row = Row(
                label, min(b.baseline_us) - b.best, statistics.median(pairs), "derived", depth
            )
        else:
            row = Row(label, a.best - b.best, a.median - b.median, "derived", depth)
        self.rows.append(row)
        return row

    def build(self) -> list[Row]:
        bench = self.bench
        self.measured("Byline, one article request in-process", "byline", 0)
        if self.has("full stack"):
            return self._edge()
        parts = [
            self.minus("app entry (FastAPI and Starlette __call__)", "byline", "no app entry", 1)
        ]
        for name in bench.layers:
            parts.append(self.minus(name, "byline", f"no {name}", 1))
            if name == "RequestContextMiddleware":
                self._request_context()
        walked = bench.routes_walked
        parts.append(self.minus(f"routing (walks {walked} routes)", "byline", "no routing", 1))
        self.measured("route matching alone", "route matching", 2)
        parts.append(self.minus("route (all of it)", "byline", "route sends prebuilt", 1))
        self.minus(
            "FastAPI request_response and Response sending",
            "endpoint returns prebuilt",
            "route sends prebuilt",
            2,
        )
        self.minus("LeanRoute and get_article", "byline", "endpoint returns prebuilt", 2)
        for label, name in [
            ("read (DocumentReader.by_slug)", "read"),
            ("headers and Response (public_response)", "headers and Response"),
            ("Response sent (Response.__call__)", "Response sent"),
            ("slug validated (TypeAdapter)", "slug validated"),
            ("clock", "clock"),
        ]:
            self.measured(label, name, 3 if name != "Response sent" else 2)
        self.measured(
            "floor: an ASGI app sending the same response, and the timing loop", "floor", 1
        )
        counted = [row for row in parts if row is not None]
        if self.has("byline", "floor"):
            whole, fl = bench.cases["byline"], bench.cases["floor"]
            self.rows.append(
                Row(
                    "unattributed (layers interact; differences do not add up exactly)",
                    whole.best - fl.best - sum(r.best for r in counted),
                    whole.median - fl.median - sum(r.median for r in counted),
                    "derived",
                    1,
                )
            )
        self.measured("bare FastAPI app, same bytes and ETag", "bare", 0)
        self._uvicorn_sends()
        return self.rows

    def _edge(self) -> list[Row]:
        """Rows for an edge's fast path: its pieces alone, and what the request loses
        without its read, its log line or its metrics."""
        pieces = [
            self.measured("header pass and request id (_Incoming)", "edge headers", 1),
            self.measured("reply built (_article: slug check, read, headers)", "edge reply", 1),
        ]
        self.minus("read, in the request", "byline", "no read", 2)
        self.measured("read alone (DocumentReader.by_slug)", "read", 3)
        self.measured("slug validated (TypeAdapter)", "slug validated", 2)
        self.measured("clock", "clock", 2)
        pieces.append(
            self.measured(
                "headers added and the two ASGI sends (_send_reply, sends discarded)",
                "edge sends",
                1,
            )
        )
        pieces.append(self.minus("access log line, in the request", "byline", "no access log", 1))
        self.measured("access log line alone (access_log, orjson)", "access log line", 2)
        pieces.append(self.minus("metrics, in the request", "byline", "no metrics", 1))
        self.measured("metrics update alone (observe)", "metrics update", 2)
        counted = [row for row in pieces if row is not None]
        whole = self.bench.cases["byline"]
        self.rows.append(
            Row(
                "the rest: entry, the edge's frame, in-flight gauge, timers, the timing loop",
                whole.best - sum(r.best for r in counted),
                whole.median - sum(r.median for r in counted),
                "derived",
                1,
            )
        )
        self.measured("same app with fast_reads=False (FastAPI's full stack)", "full stack", 0)
        self.measured("bare FastAPI app, same bytes and ETag", "bare", 0)
        self._uvicorn_sends()
        return self.rows

    def _uvicorn_sends(self) -> None:
        self.minus(
            "not in the app: uvicorn's RequestResponseCycle.send for the same two messages",
            "uvicorn sends",
            "floor",
            0,
        )
        self.minus("the bare app's response, the same way", "uvicorn sends bare", "floor", 1)

    def _request_context(self) -> None:
        self.minus("access log line (in the request)", "byline", "no access log", 2)
        self.measured("access log line alone (_log_request)", "access log line", 3)
        self.minus("metrics (in the request)", "byline", "no metrics", 2)
        self.measured("metrics update alone (observe_request)", "metrics update", 3)
        self.measured("request id alone (uuid4)", "request id", 2)


def markdown(rows: Sequence[Row], total: float) -> str:
    """The table; shares are of `total`, from medians."""
    lines = [
        "| where the time goes | µs (median) | share | µs (best) | how |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        label = "· " * row.depth + row.label
        share = f"{100 * row.median / total:.1f}%"
        lines.append(f"| {label} | {row.median:.1f} | {share} | {row.best:.1f} | {row.how} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the server's share


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (Linux only)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Load:
    requests: int
    rps: float
    cpu_us: float


class Served:
    """A server in a subprocess, loaded with wrk while its CPU time is read."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=_REPO
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.url}{path} did not answer 200 within 30 s")

    def load(self, wrk: str, path: str, seconds: int, connections: int) -> Load:
        before = _cpu_seconds(self.process.pid)
        done = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", self.url + path],
            capture_output=True,
            text=True,
            check=True,
        )
        cpu = _cpu_seconds(self.process.pid) - before
        requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))  # type: ignore[union-attr]
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
        if "Non-2xx" in done.stdout:
            raise SystemExit(f"wrk saw errors:\n{done.stdout}")
        return Load(requests, rps, 1e6 * cpu / max(requests, 1))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


_REPO = Path(__file__).resolve().parent.parent


def server_loads(
    database_url: str, path: str, body: bytes, seconds: int, rounds: int, work: Path
) -> dict[str, list[Load]]:
    """Bare app and `byline serve`, one worker each, alternating, under wrk -t1 -c32."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("--server needs wrk on PATH")
    body_file = work / "body.json"
    body_file.write_bytes(body)
    byline = Path(sys.executable).with_name("byline")
    servers: dict[str, tuple[list[str], dict[str, str]]] = {}
    port = _port()
    servers["bare"] = (
        [
            *[sys.executable, "-m", "uvicorn", "--factory", "bench.costs:bare_app_from_env"],
            *[f"--port={port}", "--no-access-log", "--no-server-header", "--log-level=info"],
        ],
        {**os.environ, BARE_BODY_ENV: str(body_file), BARE_PATH_ENV: path},
    )
    servers["byline"] = (
        [str(byline), "serve", f"--port={port}"],
        {**os.environ, "DATABASE_URL": database_url},
    )
    loads: dict[str, list[Load]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, (command, env) in servers.items():
            served = Served(command, env, port, work / f"{name}.log")
            try:
                served.wait(path)
                served.load(wrk, path, 1, 32)  # warm up
                loads[name].append(served.load(wrk, path, seconds, 32))
            finally:
                served.stop()
    return loads


def server_rows(loads: dict[str, list[Load]], bench: CostBench) -> tuple[list[str], float]:
    """Lines about the server runs, and the server's share per request (derived)."""
    lines = ["| app | req/s | server CPU µs/request | in-process µs | server's share µs |"]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    shares: dict[str, float] = {}
    for name, runs in loads.items():
        cpu = statistics.median(run.cpu_us for run in runs)
        rps = statistics.median(run.rps for run in runs)
        inside = bench.cases[name].median
        shares[name] = cpu - inside
        lines.append(f"| {name} | {rps:,.0f} | {cpu:.0f} | {inside:.0f} | {cpu - inside:.0f} |")
    return lines, shares["bare"]


# ---------------------------------------------------------------- a sampling profile

# Who a py-spy sample belongs to: the innermost frame matching one of these (a piece of
# its "function (file:line)" text), else the server. Later layers claim what earlier
# ones call, so helpers count towards the layer that called them.
PROFILE_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("server: uvicorn and its event loop (parsing, writing)", ("uvicorn/",)),
    (
        "app entry (FastAPI, Starlette __call__)",
        ("fastapi/applications.py", "starlette/applications.py", "fastapi/telemetry/"),
    ),
    ("ServerErrorMiddleware", ("starlette/middleware/errors.py",)),
    ("AppBodyLimitMiddleware", ("fastapi/_body_limit.py",)),
    ("CORSMiddleware", ("starlette/middleware/cors.py",)),
    ("edge", ("app/edge.py",)),
    ("RequestContextMiddleware (request id, wrapper)", ("RequestContextMiddleware.",)),
    ("HeadAsGetMiddleware", ("HeadAsGetMiddleware.",)),
    ("BodySizeLimitMiddleware", ("BodySizeLimitMiddleware.",)),
    ("EnsureETagMiddleware", ("EnsureETagMiddleware.", "_send_with_etag")),
    ("GZipMiddleware", ("starlette/middleware/gzip.py",)),
    (
        "ExceptionMiddleware",
        ("starlette/middleware/exceptions.py", "starlette/_exception_handler.py"),
    ),
    ("AsyncExitStackMiddleware", ("fastapi/middleware/asyncexitstack.py",)),
    ("routing", ("starlette/routing.py", "(fastapi/routing.py")),
    ("route: FastAPI request_response", ("app (fastapi/routing.py", "contextlib.py")),
    (
        "route: LeanRoute, get_article",
        ("app/params.py", "app/articles/router.py", "app/container.py"),
    ),
    ("read (DocumentReader)", ("app/documents/reader.py",)),
    ("headers and Response", ("app/http.py", "starlette/responses.py")),
    ("metrics (prometheus_client)", ("observe_request", "prometheus_client/")),
    (
        "access log line (logging, JsonFormatter)",
        ("_log_request", "access_log", "logging/__init__.py", "app/logs.py"),
    ),
)


def profile_shares(folded: Path) -> list[tuple[str, int]]:
    """Samples per layer from py-spy's raw output (`py-spy record -f raw`)."""
    counts: dict[str, int] = {}
    for line in folded.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack:
            continue
        owner = "server: event loop, no frame of its own"
        for frame in stack.split(";"):
            for label, pieces in PROFILE_LAYERS:
                if any(piece in frame for piece in pieces):
                    owner = label
        counts[owner] = counts.get(owner, 0) + int(number)
    return sorted(counts.items(), key=lambda item: -item[1])


def profile_table(folded: Path) -> str:
    shares = profile_shares(folded)
    total = sum(count for _, count in shares) or 1
    lines = ["| where the samples fall | samples | share |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {count} | {100 * count / total:.1f}% |" for label, count in shares]
    return "\n".join(lines)


# ---------------------------------------------------------------- the command


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.costs", description=__doc__)
    parser.add_argument("--slug", default=DEFAULT_SLUG, help="the article requested")
    parser.add_argument("--rounds", type=int, default=12, help="batches per case")
    parser.add_argument("--calls", type=int, default=400, help="requests per batch")
    parser.add_argument("--origin", action="store_true", help="send an Origin header (CORS)")
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    parser.add_argument(
        "--server",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also load both apps under uvicorn with wrk this long, twice each",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="only summarize a py-spy raw profile (py-spy record -f raw) by layer",
    )
    return parser.parse_args(argv)


async def _run(args: argparse.Namespace, work: Path) -> None:
    headers = [HOST_HEADER]
    if args.origin:
        headers.append(ORIGIN_HEADER)
    if args.gzip:
        headers.append(GZIP_HEADER)
    database_url = make_demo_database(work)
    app = byline_app(database_url)
    lifespan: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
    async with lifespan:
        bench = CostBench(app, args.slug, headers)
        probe = await respond(app, bench.scope)
        bare = bare_app(bench.path, probe.decoded())
        await bench.build(bare)
        cases = list(bench.cases.values())
        print(
            f"timing {len(cases)} cases, {args.rounds} rounds of {args.calls} calls each...",
            file=sys.stderr,
        )
        await measure(cases, args.rounds, args.calls)
    rows = Costs(bench).build()
    total = bench.cases["byline"].median
    sent = ", ".join(name.decode() for name, _ in headers)
    print(f"GET {bench.path} ({bench.document_bytes} bytes), request headers: {sent}")
    print(f"{args.rounds} rounds of {args.calls} calls; µs per request, median and best batch\n")
    print(markdown(rows, total))
    bare_us = bench.cases["bare"].median
    print(f"\nin-process: Byline {total:.1f} µs, bare FastAPI {bare_us:.1f} µs, ", end="")
    print(f"ratio {bare_us / total:.2f}")
    for note in bench.notes:
        print(f"note: {note}")
    if args.server:
        loads = server_loads(database_url, bench.path, probe.decoded(), args.server, 2, work)
        lines, share = server_rows(loads, bench)
        print("\n" + "\n".join(lines))
        print(f"\nserver's share (derived from the bare app): {share:.0f} µs per request")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile is not None:
        print(profile_table(args.profile))
        return 0
    work = Path(tempfile.mkdtemp(prefix="byline-costs-"))
    try:
        loop = _event_loop()
        loop.run_until_complete(_run(args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed, as uvicorn picks it, else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


if __name__ == "__main__":
    sys.exit(main())
