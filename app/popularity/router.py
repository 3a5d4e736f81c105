"""Page-view beacons, view imports, and the most-read list."""

from datetime import timedelta
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query, Request
from prometheus_client import Counter
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from app.articles.router import SlugPath
from app.auth.dependencies import AnalyticsWriter
from app.auth.routes import AuthenticatedRoute
from app.auth.scopes import Scope, token_needed
from app.container import WriteSessionDep, public_read_in_thread, services
from app.errors import InvalidContent, NotFound, TooManyRequests, problem_responses
from app.http import (
    VISIBLE_ARTICLES_ONLY,
    public_description,
    public_response,
    read_responses,
)
from app.metrics import IMPORTED_VIEWS, PAGE_VIEWS
from app.models.enums import ArticleType
from app.params import LeanRoute
from app.popularity import service
from app.popularity.bots import is_bot
from app.popularity.ranking import MAX_LIMIT, PageKey
from app.popularity.schemas import PopularPage, ViewBatch, ViewBatchResult
from app.popularity.stores import visitor_hash
from app.popularity.windows import Window
from app.types import Slug

# Only /views:batch needs a token; the public routes pass AuthenticatedRoute untouched.
router = APIRouter(route_class=AuthenticatedRoute, tags=["popularity"])


@cache
def _page_views(outcome: str) -> Counter:
    # labels() costs more than the increment; there are three outcomes.
    return PAGE_VIEWS.labels(outcome)


async def _body(request: Request) -> bytes:
    """The body straight from the ASGI messages: most beacons have none, and Starlette's
    stream (an async generator per request) costs more than reading one message."""
    chunks = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def record_view(request: Request, slug: SlugPath) -> Response:
    app_services = services(request)
    client = request.scope.get("client")
    quota = await app_services.rate_limiter.take(client[0] if client else "unknown")
    if quota is not None and not quota.allowed:
        raise TooManyRequests(
            "Too many page views from this client; try again later.",
            headers={"Retry-After": str(quota.reset)},
        )
    body = await _body(request)
    if len(body) > service.MAX_BEACON_BYTES:
        raise InvalidContent(
            f"A beacon body is at most {service.MAX_BEACON_BYTES} bytes.",
        )
    beacon = service.parse_beacon(body)
    now = app_services.clock()
    article_id = await app_services.documents.article_id(slug, now)
    if article_id is None:
        raise NotFound(f"No published article has the slug {slug!r}.")
    if is_bot(request.headers.get("user-agent")):
        _page_views("bot").inc()
    else:
        visitor = visitor_hash(beacon.visitor_id) if beacon.visitor_id else None
        counted = await app_services.views.record(article_id, visitor, now)
        _page_views("counted" if counted else "repeat").inc()
    return Response(status_code=202)


router.add_api_route(
    "/articles/{slug}/views",
    record_view,
    methods=["POST"],
    status_code=202,
    operation_id="recordArticleView",
    summary="Count one page view (a beacon; no authentication)",
    description="Counts a view of a published article whose time has come (404 otherwise). "
    "Anyone may send it without a token, and it answers an empty 202 whether or not the view "
    "counted: repeats by the same visitor within 30 minutes (by default) and obvious bots are "
    "accepted and ignored. Works with `navigator.sendBeacon` (any content type; the body, if "
    "any, is JSON). Over the per-client rate limit the answer is 429 with Retry-After.",
    response_class=Response,
    responses={
        202: {"description": "Accepted."},
        **problem_responses(400, 404, 413, 422, 429),
    },
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/ViewBeacon"}}
                for media in ("application/json", "text/plain")
            },
        }
    },
    route_class_override=LeanRoute,
)


@router.post(
    "/views:batch",
    operation_id="importViews",
    summary="Import counted views, e.g. from CDN logs",
    description="Adds view counts per article slug and hour to what is already counted, all "
    "rows or none: a row naming no published article, a future time or a time past retention "
    "is a 422 at its location, and nothing is counted. Returns how many rows and views were "
    f"added. Needs {token_needed(Scope.analytics_write)}; the answer is not cacheable.",
    response_model=ViewBatchResult,
    responses=problem_responses(400, 401, 403, 413, 422),
)
def import_views(
    request: Request, session: WriteSessionDep, _principal: AnalyticsWriter, batch: ViewBatch
) -> ViewBatchResult:
    app_services = services(request)
    result = service.import_views(
        session,
        batch,
        now=app_services.clock(),
        retention=timedelta(days=app_services.settings.view_retention_days),
    )
    session.commit()
    IMPORTED_VIEWS.inc(result.views)
    return result


@router.get(
    "/popular",
    operation_id="listPopularArticles",
    summary="List the most-read published articles over a window",
    description=public_description(
        "Article summaries with `views`, most-read first, counting views since the start of "
        "the window (`1h`, `24h`, `7d` or `30d`), optionally of one type or tag; one page of "
        f"1 to {MAX_LIMIT}, never a next one.",
        VISIBLE_ARTICLES_ONLY,
        cache_control="`public`, with a short max-age and s-maxage of its own",
    ),
    response_model=PopularPage,
    responses=read_responses(),
)
async def list_popular(
    request: Request,
    window: Annotated[Window, Query(description="How far back views count.")] = Window.day,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    type: Annotated[ArticleType | None, Query(description="Only this article type.")] = None,
    tag: Annotated[Slug | None, Query(description="Only articles with this tag slug.")] = None,
) -> Response:
    app_services = services(request)
    now = app_services.clock()
    key = PageKey(window=window, type=type.value if type else None, tag=tag, limit=limit)
    page = app_services.popular_pages.get(key)
    # A kept page is served only while every article on it is visible and unchanged.
    if page is None or (
        await app_services.documents.visible_etags(list(page.article_etags), now)
        != page.article_etags
    ):
        rankings = app_services.rankings
        page = await public_read_in_thread(
            request, lambda session: service.popular_page(session, rankings, key, now)
        )
        app_services.popular_pages.put(key, page)
    ttl = int(app_services.settings.popular_cache_seconds)
    return public_response(
        request,
        app_services.public_headers,
        page.body,
        etag=page.etag,
        surrogate_keys="popular",
        cache_control=f"public, max-age={ttl}, s-maxage={ttl}",
    )
