"""Public article routes: one indexed lookup per request, stored bytes out."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.articles.schemas import ArticleDocument, ArticlePage
from app.articles.service import ArticleFilters, find_articles, related_articles
from app.clock import Now
from app.db import SessionDep
from app.documents import queries
from app.errors import NotFound
from app.http import public_response, read_responses
from app.models.enums import ArticleType
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.types import Id, Slug, Timestamp

router = APIRouter(prefix="/articles", tags=["articles"])

SlugPath = Annotated[
    Slug, Path(description="The article's slug.", examples=["the-ceasefire-that-nobody-signed"])
]
MAX_RELATED = 20


@router.get(
    "",
    operation_id="listArticles",
    summary="List published articles, newest first",
    response_model=ArticlePage,
    responses=read_responses(paged=True),
)
def list_articles(
    request: Request,
    session: SessionDep,
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
    return find_articles(request, session, now=now, filters=filters, limit=limit, cursor=cursor)


@router.get(
    "/{slug}",
    operation_id="getArticle",
    summary="Get a published article: the whole page",
    response_model=ArticleDocument,
    responses=read_responses(lookup=True),
)
def get_article(request: Request, session: SessionDep, now: Now, slug: SlugPath) -> Response:
    row = queries.document_by_slug(session, slug, now)
    if row is None:
        raise NotFound(f"No published article has the slug {slug!r}.")
    return public_response(
        request, row.document, etag=row.etag, surrogate_keys=row.surrogate_keys.split()
    )


@router.get(
    "/{slug}/related",
    operation_id="listRelatedArticles",
    summary="Read-more articles sharing tags or people, best first",
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
def list_related_articles(
    request: Request,
    session: SessionDep,
    now: Now,
    slug: SlugPath,
    limit: Annotated[int, Query(ge=1, le=MAX_RELATED)] = 5,
) -> Response:
    return related_articles(request, session, now=now, slug=slug, limit=limit)
