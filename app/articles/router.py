"""Public article routes: one indexed lookup per request, stored bytes out."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.articles.responses import summary_page_response
from app.articles.schemas import ArticlePage
from app.articles.service import find_articles, related_articles
from app.container import Now, public_read_in_thread, services
from app.documents import queries
from app.documents.articles import ArticleDocument
from app.documents.refs import surrogate_key
from app.documents.summaries import RELATED_CANDIDATES, ArticleFilters
from app.errors import NotFound
from app.http import (
    VISIBLE_ARTICLES_ONLY,
    public_description,
    public_response,
    read_responses,
)
from app.models.enums import ArticleType
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.params import LeanRoute, StrictQueryRoute
from app.types import Id, Slug, Timestamp

router = APIRouter(route_class=StrictQueryRoute, prefix="/articles", tags=["articles"])

SlugPath = Annotated[
    Slug, Path(description="The article's slug.", examples=["the-ceasefire-that-nobody-signed"])
]
MAX_RELATED = 20


@router.get(
    "",
    operation_id="listArticles",
    summary="List published articles, newest first",
    description=public_description(
        "Article summaries (headline, dek, kicker, byline, thumbnail and links), newest "
        "`published_at` first, filtered by author, person mentioned, tag, type or publish "
        "time and paged by cursor; an unknown tag gives an empty list.",
        VISIBLE_ARTICLES_ONLY,
    ),
    response_model=ArticlePage,
    responses=read_responses(paged=True),
)
async def list_articles(
    request: Request,
    now: Now,
    author: Annotated[Id | None, Query(description="Only articles with this author.")] = None,
    person: Annotated[Id | None, Query(description="Only articles mentioning this person.")] = None,
    tag: Annotated[Slug | None, Query(description="Only articles with this tag slug.")] = None,
    type: Annotated[ArticleType | None, Query(description="Only this article type.")] = None,
    published_after: Annotated[
        Timestamp | None, Query(description="Only articles published after this instant.")
    ] = None,
    published_before: Annotated[
        Timestamp | None, Query(description="Only articles published before this instant.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    filters = ArticleFilters(
        author=author,
        person=person,
        tag=tag,
        type=type,
        published_after=published_after,
        published_before=published_before,
    )
    page = await find_articles(
        services(request).summaries, now=now, filters=filters, limit=limit, cursor=cursor
    )
    return summary_page_response(request, page, surrogate_keys=("articles",))


async def get_article(request: Request, slug: SlugPath) -> Response:
    app_services = services(request)
    now = app_services.clock()
    stored = await app_services.documents.by_slug(slug, now)
    if stored is None:
        current = await public_read_in_thread(
            request, lambda session: queries.redirected_slug(session, slug, now)
        )
        if current is None:
            raise NotFound(f"No published article has the slug {slug!r}.")
        return RedirectResponse(f"/v1/articles/{current}", status_code=301)
    return public_response(
        request,
        app_services.public_headers,
        stored.document,
        etag=stored.etag,
        surrogate_keys=stored.surrogate_keys,
    )


router.add_api_route(
    "/{slug}",
    get_article,
    methods=["GET"],
    operation_id="getArticle",
    summary="Get a published article: the whole page",
    description=public_description(
        "The whole article document in one response: body blocks with images and quotes "
        "resolved, authors with bio lines, people mentioned and tags.",
        "Readers get the last published revision once its publish time has come; drafts, "
        "scheduled articles and edits not yet republished are a 404.",
        "A slug the article was published under before answers 301 to its current URL.",
    ),
    response_model=ArticleDocument,
    responses={
        **read_responses(lookup=True),
        301: {"description": "The article moved to a new slug; follow Location."},
    },
    # The hot path: stored bytes out, without FastAPI's dependency solver.
    route_class_override=LeanRoute,
)


@router.get(
    "/{slug}/related",
    operation_id="listRelatedArticles",
    summary="List read-more articles that share tags or people, best first",
    description=public_description(
        "Summaries of other articles sharing the most tags and people mentioned with this "
        f"one, newest first among equals, scored among the {RELATED_CANDIDATES} newest articles "
        "of each tag "
        "and person it shares; `limit` runs from 1 to 20 (default 5) and there is no next "
        "page.",
        VISIBLE_ARTICLES_ONLY + " A slug no visible article has is a 404.",
    ),
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
async def list_related_articles(
    request: Request,
    now: Now,
    slug: SlugPath,
    limit: Annotated[int, Query(ge=1, le=MAX_RELATED)] = 5,
) -> Response:
    held = services(request)
    related = await related_articles(
        held.documents, held.summaries, now=now, slug=slug, limit=limit
    )
    return summary_page_response(
        request,
        related.page,
        surrogate_keys=("articles", surrogate_key("article", related.article_id)),
    )
