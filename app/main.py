"""The application factory."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import __doc__ as description
from app import manage
from app.articles.router import router as articles_router
from app.authors.router import router as authors_router
from app.clock import Clock
from app.config import Settings, get_settings
from app.container import attach_services, build_services
from app.docs import install_docs
from app.edge import Edge, cors_factory
from app.errors import install_error_handlers
from app.feeds.router import router as feeds_router
from app.images.router import router as images_router
from app.images.upload import upload_body_limit
from app.logs import configure_logging, flush_access_log
from app.manage import management_routers
from app.metrics import app_route_templates, forget_dead_workers, forget_this_worker
from app.middleware import (
    MAX_BODY_BYTES,
    BodyLimit,
    BodySizeLimitMiddleware,
    EnsureETagMiddleware,
)
from app.models.base import utcnow
from app.openapi import install_openapi
from app.ops.router import router as ops_router
from app.people.router import router as people_router
from app.popularity.router import router as popularity_router
from app.quotes.router import router as quotes_router
from app.sitemaps.router import router as sitemaps_router
from app.tags.router import router as tags_router

API_VERSION = "1.0.0"


class Byline(FastAPI):
    """FastAPI with the edge (app.edge) in front of all it does for a request.

    The edge is outside FastAPI's own entry and middleware stack, so a stored
    article answered there pays for none of them; everything else goes through it
    to FastAPI. Request ids, logs, metrics and CORS are the edge's, for every answer
    including the last-resort 500.
    """

    edge: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # As Starlette would: what the edge answers reaches the services through it.
            scope["app"] = self
            await self.edge(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, clock: Clock = utcnow, fast_reads: bool = True
) -> FastAPI:
    """The app; `fast_reads=False` sends every request through FastAPI's router, which the
    tests compare the edge's fast path with."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    services = build_services(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        forget_dead_workers(settings.prometheus_multiproc_dir)
        await services.views.start()
        yield
        await services.views.stop()
        await services.driver.aclose()
        flush_access_log()
        services.close()
        forget_this_worker(settings.prometheus_multiproc_dir)

    app = Byline(
        title="Byline",
        version=API_VERSION,
        description=description or "",
        lifespan=lifespan,
        # app.docs serves both pages, with assets of its own instead of a CDN's.
        docs_url=None,
        redoc_url=None,
    )
    attach_services(app, services)

    # Routers are included one level deep: every level of nesting costs each request.
    public = (
        articles_router,
        authors_router,
        people_router,
        images_router,
        quotes_router,
        tags_router,
        popularity_router,
        feeds_router,
        sitemaps_router,
    )
    route_templates: dict[int, str] = {}
    for router, prefix in [
        *((router, "/v1") for router in public),
        *((router, "/v1" + manage.PREFIX) for router in management_routers()),
        (ops_router, ""),
    ]:
        app.include_router(router, prefix=prefix)
        # Routing hands middleware the router's own route, which knows no prefix.
        route_templates.update(
            {id(r): prefix + r.path for r in router.routes if isinstance(r, APIRoute)}
        )
    install_docs(app)
    route_templates.update(app_route_templates(app.routes))

    install_error_handlers(app)
    app.add_middleware(EnsureETagMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_size)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=MAX_BODY_BYTES,
        # 10,000 rows with the longest slugs need about 2 MiB.
        larger=[
            BodyLimit(re.compile(re.escape("/v1/views:batch")), 4 * MAX_BODY_BYTES),
            upload_body_limit(settings),
        ],
    )
    app.edge = Edge(
        # FastAPI's own entry, middleware stack and all, for what the edge passes on.
        partial(FastAPI.__call__, app),
        services=services,
        route_templates=route_templates,
        cors=cors_factory(
            allow_origins=settings.cors_origins,
            # POST is for page-view beacons; management calls carry tokens, not cookies.
            allow_methods=["GET", "HEAD", "OPTIONS", "POST"],
            allow_headers=["If-None-Match", "X-Request-ID", "Content-Type"],
            expose_headers=["ETag", "Link", "X-Request-ID", "Surrogate-Key"],
            max_age=86400,
        ),
        fast_reads=fast_reads,
    )
    install_openapi(app)
    return app
