"""Managing quotes and who said them, under /v1/manage/quotes."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.dependencies import Reader, Writer
from app.auth.scopes import Scope
from app.container import SessionDep, WriteSessionDep
from app.documents.refs import RefKind
from app.editing import crud, descriptions
from app.editing.idempotency import IdempotencyKey
from app.editing.merge_patch import MergePatch
from app.editing.preconditions import IfMatch
from app.editing.resource import IdentPath, Resource
from app.editing.responses import ManagementRoute, manage_description, manage_responses
from app.models import Quote
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.quotes.schemas import QuoteCreate, QuoteRecord, QuoteRecordPage
from app.quotes.service import quote_contents, quote_references, write_quote

quotes = Resource(
    kind="quote",
    row=Quote,
    create_schema=QuoteCreate,
    record_schema=QuoteRecord,
    references=quote_references,
    write=write_quote,
    contents=quote_contents,
    ref_kind=RefKind.quote,
)

router = APIRouter(route_class=ManagementRoute, prefix="/quotes", tags=["manage: quotes"])


@router.post(
    "",
    operation_id="createQuote",
    summary="Create a quote",
    description=manage_description(
        "Creates a quote and returns its record (201) with its ETag and Location.",
        descriptions.SHOWN_ONCE_PUBLISHED,
        descriptions.IDEMPOTENT_CREATE,
        scope=Scope.content_write,
    ),
    status_code=201,
    response_model=QuoteRecord,
    responses=manage_responses(409, 413, 422),
)
def create_quote(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    data: QuoteCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return crud.create_record(
        request, session, quotes, data, principal=principal, idempotency_key=idempotency_key
    )


@router.get(
    "",
    operation_id="listManagedQuotes",
    summary="List all quotes, newest first",
    description=manage_description(
        "All quotes as editors see them, whether or not readers can, "
        "newest first and paged by cursor.",
        scope=Scope.content_read,
    ),
    response_model=QuoteRecordPage,
    responses=manage_responses(400, 422),
)
def list_quotes(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return crud.list_records(request, session, quotes, limit=limit, cursor=cursor)


@router.get(
    "/{ident}",
    operation_id="getManagedQuote",
    summary="Get a quote as editors see it",
    description=manage_description(
        "The record of a quote, whether or not readers can see it, with "
        "its version and who created and last changed it.",
        descriptions.READ_ETAG,
        scope=Scope.content_read,
    ),
    response_model=QuoteRecord,
    responses=manage_responses(404, 422),
)
def get_quote(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return crud.read_record(request, session, quotes, ident)


@router.put(
    "/{ident}",
    operation_id="replaceQuote",
    summary="Replace a quote",
    description=manage_description(
        descriptions.REPLACE,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=QuoteRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def replace_quote(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    data: QuoteCreate,
    if_match: IfMatch = None,
) -> Response:
    return crud.replace_record(
        request, session, quotes, ident, data, principal=principal, if_match=if_match
    )


@router.patch(
    "/{ident}",
    operation_id="updateQuote",
    summary="Change some fields of a quote (merge patch)",
    description=manage_description(
        descriptions.MERGE_PATCH,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=QuoteRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def update_quote(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    merge_patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    return crud.patch_record(
        request, session, quotes, ident, merge_patch, principal=principal, if_match=if_match
    )


@router.delete(
    "/{ident}",
    operation_id="deleteQuote",
    summary="Delete a quote",
    description=manage_description(
        "Deletes a quote and answers 204 with no body.",
        descriptions.KEPT_WHILE_USED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    status_code=204,
    response_model=None,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def delete_quote(
    session: WriteSessionDep, principal: Writer, ident: IdentPath, if_match: IfMatch = None
) -> Response:
    return crud.delete_record(session, quotes, ident, principal=principal, if_match=if_match)
