from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.articles.schemas import ArticlePage
from app.articles.service import ArticleFilters, find_articles
from app.clock import Now
from app.db import SessionDep
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
def get_person(request: Request, session: SessionDep, now: Now, person_id: PersonId) -> Response:
    card = service.visible_person(session, person_id, now)
    return model_response(request, card, surrogate_keys=[surrogate_key("person", person_id)])


@router.get(
    "/{person_id}/quotes",
    operation_id="listPersonQuotes",
    summary="List what a person or organization said, newest first",
    response_model=QuotePage,
    responses=read_responses(lookup=True, paged=True),
)
def list_person_quotes(
    request: Request,
    session: SessionDep,
    now: Now,
    person_id: PersonId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
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


@router.get(
    "/{person_id}/articles",
    operation_id="listPersonArticles",
    summary="List published articles mentioning a person, newest first",
    response_model=ArticlePage,
    responses=read_responses(lookup=True, paged=True),
)
def list_person_articles(
    request: Request,
    session: SessionDep,
    now: Now,
    person_id: PersonId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
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
