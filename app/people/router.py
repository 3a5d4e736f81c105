from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.articles.responses import summary_page_response
from app.articles.schemas import ArticlePage
from app.articles.service import person_articles
from app.container import Now, public_read_in_thread, services
from app.documents.people import PersonPublic
from app.documents.refs import surrogate_key
from app.http import (
    VISIBLE_ARTICLES_ONLY,
    model_response,
    page_response,
    public_description,
    read_responses,
)
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.params import StrictQueryRoute
from app.people import service
from app.quotes import service as quotes
from app.quotes.schemas import QuotePage
from app.types import Id

router = APIRouter(route_class=StrictQueryRoute, prefix="/people", tags=["people"])

PersonId = Annotated[Id, Path(description="The person's or organization's id.", examples=[4])]


@router.get(
    "/{person_id}",
    operation_id="getPerson",
    summary="Get a person or organization",
    description=public_description(
        "The full card of a person or organization: description, bio, bio line, "
        "affiliations, headshot and links.",
        "It is public only while a published article whose time has come shows it anywhere "
        "(byline, mentions, quotes, pictures or an author's affiliations); otherwise the "
        "answer is 404.",
    ),
    response_model=PersonPublic,
    responses=read_responses(lookup=True),
)
async def get_person(request: Request, now: Now, person_id: PersonId) -> Response:
    def read(session: Session) -> Response:
        card = service.visible_person(session, person_id, now)
        return model_response(
            request,
            services(request).public_headers,
            card,
            surrogate_keys=[surrogate_key("person", person_id)],
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{person_id}/quotes",
    operation_id="listPersonQuotes",
    summary="List what a person or organization said, newest first",
    description=public_description(
        f"Their quotes that published articles whose time has come use, {quotes.ORDER}; "
        "paged by cursor.",
        "A person or organization no such article shows is a 404.",
    ),
    response_model=QuotePage,
    responses=read_responses(lookup=True, paged=True),
)
async def list_person_quotes(
    request: Request,
    now: Now,
    person_id: PersonId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    def read(session: Session) -> Response:
        service.visible_person(session, person_id, now)
        items, next_cursor = quotes.quotes_page(
            session, now=now, speaker=person_id, limit=limit, cursor=cursor
        )
        keys = [
            "quotes",
            surrogate_key("person", person_id),
            *(surrogate_key("quote", q.id) for q in items),
        ]
        return page_response(
            request, services(request).public_headers, items, next_cursor, surrogate_keys=keys
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{person_id}/articles",
    operation_id="listPersonArticles",
    summary="List published articles mentioning a person, newest first",
    description=public_description(
        "Summaries of the articles that list this person or organization among the people "
        "mentioned (bylines and quotes alone do not count), newest first, paged by cursor; "
        "404 when no visible article shows them.",
        VISIBLE_ARTICLES_ONLY,
    ),
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
async def list_person_articles(
    request: Request,
    now: Now,
    person_id: PersonId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await person_articles(
        services(request).summaries, now=now, person_id=person_id, limit=limit, cursor=cursor
    )
    return summary_page_response(
        request, page, surrogate_keys=("articles", surrogate_key("person", person_id))
    )
