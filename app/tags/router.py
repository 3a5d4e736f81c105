from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.articles.responses import summary_page_response
from app.articles.schemas import ArticlePage
from app.articles.service import tag_articles
from app.container import Now, public_read_in_thread, services
from app.documents.refs import surrogate_key
from app.http import VISIBLE_ARTICLES_ONLY, page_response, public_description, read_responses
from app.models.enums import TagKind
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.params import StrictQueryRoute
from app.tags import service
from app.tags.schemas import TagPage
from app.types import Slug

router = APIRouter(route_class=StrictQueryRoute, prefix="/tags", tags=["tags"])


@router.get(
    "",
    operation_id="listTags",
    summary="List tags of published articles, by slug",
    description=public_description(
        "Tags with their kind, description and `article_count`, by slug, optionally of one "
        "kind, paged by cursor.",
        "Only tags that a published article whose time has come carries are listed, and "
        "the counts include only such articles.",
    ),
    response_model=TagPage,
    responses=read_responses(paged=True),
)
async def list_tags(
    request: Request,
    now: Now,
    kind: Annotated[TagKind | None, Query(description="Only tags of this kind.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    def read(session: Session) -> Response:
        items, next_cursor = service.tags_page(
            session, now=now, kind=kind, limit=limit, cursor=cursor
        )
        keys = ["tags", *(surrogate_key("tag", t.id) for t in items)]
        return page_response(
            request, services(request).public_headers, items, next_cursor, surrogate_keys=keys
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{slug}/articles",
    operation_id="listTagArticles",
    summary="List published articles with a tag, newest first",
    description=public_description(
        "Summaries of the articles filed under this tag, newest first, paged by cursor; "
        "404 when no visible article carries it.",
        VISIBLE_ARTICLES_ONLY,
    ),
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
async def list_tag_articles(
    request: Request,
    now: Now,
    slug: Annotated[Slug, Path(examples=["diplomacy"])],
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    tag_id, page = await tag_articles(
        services(request).summaries, now=now, slug=slug, limit=limit, cursor=cursor
    )
    return summary_page_response(
        request, page, surrogate_keys=("articles", surrogate_key("tag", tag_id))
    )
