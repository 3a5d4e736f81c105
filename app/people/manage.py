"""Managing people and organizations under /v1/manage/people."""

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
from app.models import Person
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit
from app.people.schemas import PersonCreate, PersonRecord, PersonRecordPage
from app.people.service import person_contents, person_references, write_person

people = Resource(
    kind="person",
    row=Person,
    create_schema=PersonCreate,
    record_schema=PersonRecord,
    references=person_references,
    write=write_person,
    contents=person_contents,
    ref_kind=RefKind.person,
)

router = APIRouter(route_class=ManagementRoute, prefix="/people", tags=["manage: people"])


@router.post(
    "",
    operation_id="createPerson",
    summary="Create a person or organization",
    description=manage_description(
        "Creates a person or organization and returns its record (201) with its ETag and Location.",
        descriptions.SHOWN_ONCE_PUBLISHED,
        descriptions.IDEMPOTENT_CREATE,
        scope=Scope.content_write,
    ),
    status_code=201,
    response_model=PersonRecord,
    responses=manage_responses(409, 413, 422),
)
def create_person(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    data: PersonCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return crud.create_record(
        request, session, people, data, principal=principal, idempotency_key=idempotency_key
    )


@router.get(
    "",
    operation_id="listManagedPeople",
    summary="List all people and organizations, newest first",
    description=manage_description(
        "All people and organizations as editors see them, whether or not readers can, "
        "newest first and paged by cursor.",
        scope=Scope.content_read,
    ),
    response_model=PersonRecordPage,
    responses=manage_responses(400, 422),
)
def list_people(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return crud.list_records(request, session, people, limit=limit, cursor=cursor)


@router.get(
    "/{ident}",
    operation_id="getManagedPerson",
    summary="Get a person or organization as editors see it",
    description=manage_description(
        "The record of a person or organization, whether or not readers can see it, with "
        "its version and who created and last changed it.",
        descriptions.READ_ETAG,
        scope=Scope.content_read,
    ),
    response_model=PersonRecord,
    responses=manage_responses(404, 422),
)
def get_person(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return crud.read_record(request, session, people, ident)


@router.put(
    "/{ident}",
    operation_id="replacePerson",
    summary="Replace a person or organization",
    description=manage_description(
        descriptions.REPLACE,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=PersonRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def replace_person(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    data: PersonCreate,
    if_match: IfMatch = None,
) -> Response:
    return crud.replace_record(
        request, session, people, ident, data, principal=principal, if_match=if_match
    )


@router.patch(
    "/{ident}",
    operation_id="updatePerson",
    summary="Change some fields of a person or organization (merge patch)",
    description=manage_description(
        descriptions.MERGE_PATCH,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=PersonRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def update_person(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    merge_patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    return crud.patch_record(
        request, session, people, ident, merge_patch, principal=principal, if_match=if_match
    )


@router.delete(
    "/{ident}",
    operation_id="deletePerson",
    summary="Delete a person or organization",
    description=manage_description(
        "Deletes a person or organization and answers 204 with no body.",
        descriptions.KEPT_WHILE_USED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    status_code=204,
    response_model=None,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def delete_person(
    session: WriteSessionDep, principal: Writer, ident: IdentPath, if_match: IfMatch = None
) -> Response:
    return crud.delete_record(session, people, ident, principal=principal, if_match=if_match)
