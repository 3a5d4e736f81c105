from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.container import Now, public_read_in_thread, services
from app.documents.quotes import QuotePublic
from app.documents.refs import surrogate_key
from app.http import model_response, page_response, public_description, read_responses
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.params import StrictQueryRoute
from app.quotes import service
from app.quotes.schemas import QuotePage
from app.types import Id

router = APIRouter(route_class=StrictQueryRoute, prefix="/quotes", tags=["quotes"])


@router.get(
    "",
    operation_id="listQuotes",
    summary="List quotes used in published articles, newest first",
    description=public_description(
        f"Quotes with their speaker, optionally by one speaker: {service.ORDER}; paged by cursor.",
        "Only quotes that a published article whose time has come uses are listed.",
    ),
    response_model=QuotePage,
    responses=read_responses(paged=True),
)
async def list_quotes(
    request: Request,
    now: Now,
    speaker: Annotated[Id | None, Query(description="Only quotes by this person.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    def read(session: Session) -> Response:
        items, next_cursor = service.quotes_page(
            session, now=now, speaker=speaker, limit=limit, cursor=cursor
        )
        keys = ["quotes", *(surrogate_key("quote", q.id) for q in items)]
        return page_response(
            request, services(request).public_headers, items, next_cursor, surrogate_keys=keys
        )

    return await public_read_in_thread(request, read)


@router.get(
    "/{quote_id}",
    operation_id="getQuote",
    summary="Get a quote",
    description=public_description(
        "A quote's text, kind (direct or paraphrase), speaker (a person or organization, a "
        "label shown instead of their name, or both) and their role, date and its precision, "
        "place, venue, context, source and language.",
        "It is public only while a published article whose time has come uses it; "
        "otherwise the answer is 404.",
    ),
    response_model=QuotePublic,
    responses=read_responses(lookup=True),
)
async def get_quote(
    request: Request,
    now: Now,
    quote_id: Annotated[Id, Path(examples=[1])],
) -> Response:
    def read(session: Session) -> Response:
        quote = service.visible_quote(session, quote_id, now)
        keys = [surrogate_key("quote", quote_id)]
        if quote.speaker is not None:
            keys.append(surrogate_key("person", quote.speaker.id))
        return model_response(request, services(request).public_headers, quote, surrogate_keys=keys)

    return await public_read_in_thread(request, read)
