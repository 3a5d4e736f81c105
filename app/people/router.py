from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.articles.schemas import ArticlePage
from app.articles.service import ArticleFilters, find_articles
from app.clock import Now
from app.db import read_in_thread
from app.documents.refs import surrogate_key
from app.http import model_response, page_response, read_responses
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.params import StrictQueryRoute
from app.people import service
from app.people.schemas import PersonPublic
from app.quotes import service as quotes
from app.quotes.schemas import QuotePage
from app.types import Id

router = APIRouter(route_class=StrictQueryRoute, prefix="/people", tags=["people"])

PersonId = Annotated[Id, Path(description="The person's or organization's id.", examples=[4])]


@router.get(
    "/{person_id}",
    operation_id="getPerson",
    summary="Get a person or organization",
    response_model=PersonPublic,
    responses=read_responses(lookup=True),
)
async def get_person(request: Request, now: Now, person_id: PersonId) -> Response:
    def read(session: Session) -> Response:
        card = service.visible_person(session, person_id, now)
        return model_response(request, card, surrogate_keys=[surrogate_key("person", person_id)])

    return await read_in_thread(request, read)


@router.get(
    "/{person_id}/quotes",
    operation_id="listPersonQuotes",
    summary="List what a person or organization said, newest first",
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
        return page_response(request, items, next_cursor, surrogate_keys=keys)

    return await read_in_thread(request, read)


@router.get(
    "/{person_id}/articles",
    operation_id="listPersonArticles",
    summary="List published articles mentioning a person, newest first",
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
    def read(session: Session) -> Response:
        service.visible_person(session, person_id, now)
        return find_articles(
            request,
            session,
            now=now,
            filters=ArticleFilters(person=person_id),
            limit=limit,
            cursor=cursor,
            surrogate_keys=("articles", surrogate_key("person", person_id)),
        )

    return await read_in_thread(request, read)
