from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.articles.responses import summary_page_response
from app.articles.schemas import ArticlePage
from app.articles.service import author_articles
from app.container import Now, public_read_in_thread, services
from app.documents.refs import surrogate_key
from app.http import (
    VISIBLE_ARTICLES_ONLY,
    model_response,
    page_response,
    public_description,
    read_responses,
)
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit, Page
from app.params import StrictQueryRoute
from app.people import service
from app.people.schemas import AuthorPublic
from app.types import Id

router = APIRouter(route_class=StrictQueryRoute, prefix="/authors", tags=["authors"])

AuthorId = Annotated[Id, Path(description="The author's person id.", examples=[1])]


class AuthorPage(Page[AuthorPublic]):
    pass


@router.get(
    "",
    operation_id="listAuthors",
    summary="List authors with published articles, by name",
    description=public_description(
        "Author cards (name, description, bio, bio line, affiliations, headshot, links and "
        "`article_count`), by sort name, paged by cursor.",
        "Only people in the byline of at least one published article whose publish time "
        "has come are listed; being quoted or mentioned does not make an author.",
    ),
    response_model=AuthorPage,
    responses=read_responses(paged=True),
)
async def list_authors(
    request: Request,
    now: Now,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    def read(session: Session) -> Response:
        items, next_cursor = service.authors_page(session, now=now, limit=limit, cursor=cursor)
        keys = ["authors", *(surrogate_key("person", a.id) for a in items)]
        return page_response(
            request, services(request).public_headers, items, next_cursor, surrogate_keys=keys
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{author_id}",
    operation_id="getAuthor",
    summary="Get an author's card",
    description=public_description(
        "The full card of a person as an author, with `article_count`: their published "
        "articles whose publish time has come.",
        "Anyone without such an article in their byline is a 404 here, even if they are "
        "quoted or mentioned (getPerson shows them).",
    ),
    response_model=AuthorPublic,
    responses=read_responses(lookup=True),
)
async def get_author(request: Request, now: Now, author_id: AuthorId) -> Response:
    def read(session: Session) -> Response:
        card = service.author(session, author_id, now)
        return model_response(
            request,
            services(request).public_headers,
            card,
            surrogate_keys=[surrogate_key("person", author_id)],
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{author_id}/articles",
    operation_id="listAuthorArticles",
    summary="List an author's published articles, newest first",
    description=public_description(
        "Summaries of the articles with this person in the byline, newest first, paged by "
        "cursor; 404 when they are not an author of any visible article.",
        VISIBLE_ARTICLES_ONLY,
    ),
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
async def list_author_articles(
    request: Request,
    now: Now,
    author_id: AuthorId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await author_articles(
        services(request).summaries, now=now, author_id=author_id, limit=limit, cursor=cursor
    )
    return summary_page_response(
        request, page, surrogate_keys=("articles", surrogate_key("person", author_id))
    )
