"""Managing topics, sections and places under /v1/manage/tags."""

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
from app.models import Tag
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.tags.schemas import TagCreate, TagRecord, TagRecordPage
from app.tags.service import tag_contents, write_tag

tags = Resource(
    kind="tag",
    row=Tag,
    create_schema=TagCreate,
    record_schema=TagRecord,
    references=lambda _data: [],
    write=write_tag,
    contents=tag_contents,
    ref_kind=RefKind.tag,
)

router = APIRouter(route_class=ManagementRoute, prefix="/tags", tags=["manage: tags"])


@router.post(
    "",
    operation_id="createTag",
    summary="Create a tag",
    description=manage_description(
        "Creates a tag and returns its record (201) with its ETag and Location.",
        descriptions.SHOWN_ONCE_PUBLISHED,
        descriptions.IDEMPOTENT_CREATE,
        scope=Scope.content_write,
    ),
    status_code=201,
    response_model=TagRecord,
    responses=manage_responses(409, 413, 422),
)
def create_tag(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    data: TagCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return crud.create_record(
        request, session, tags, data, principal=principal, idempotency_key=idempotency_key
    )


@router.get(
    "",
    operation_id="listManagedTags",
    summary="List all tags, newest first",
    description=manage_description(
        "All tags as editors see them, whether or not readers can, "
        "newest first and paged by cursor.",
        scope=Scope.content_read,
    ),
    response_model=TagRecordPage,
    responses=manage_responses(400, 422),
)
def list_tags(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return crud.list_records(request, session, tags, limit=limit, cursor=cursor)


@router.get(
    "/{ident}",
    operation_id="getManagedTag",
    summary="Get a tag as editors see it",
    description=manage_description(
        "The record of a tag, whether or not readers can see it, with "
        "its version and who created and last changed it.",
        descriptions.READ_ETAG,
        scope=Scope.content_read,
    ),
    response_model=TagRecord,
    responses=manage_responses(404, 422),
)
def get_tag(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return crud.read_record(request, session, tags, ident)


@router.put(
    "/{ident}",
    operation_id="replaceTag",
    summary="Replace a tag",
    description=manage_description(
        descriptions.REPLACE,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=TagRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def replace_tag(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    data: TagCreate,
    if_match: IfMatch = None,
) -> Response:
    return crud.replace_record(
        request, session, tags, ident, data, principal=principal, if_match=if_match
    )


@router.patch(
    "/{ident}",
    operation_id="updateTag",
    summary="Change some fields of a tag (merge patch)",
    description=manage_description(
        descriptions.MERGE_PATCH,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=TagRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def update_tag(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    merge_patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    return crud.patch_record(
        request, session, tags, ident, merge_patch, principal=principal, if_match=if_match
    )


@router.delete(
    "/{ident}",
    operation_id="deleteTag",
    summary="Delete a tag",
    description=manage_description(
        "Deletes a tag and answers 204 with no body.",
        descriptions.KEPT_WHILE_USED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    status_code=204,
    response_model=None,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def delete_tag(
    session: WriteSessionDep, principal: Writer, ident: IdentPath, if_match: IfMatch = None
) -> Response:
    return crud.delete_record(session, tags, ident, principal=principal, if_match=if_match)
