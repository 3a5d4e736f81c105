"""What the create, list, read, replace, patch and delete endpoints of a resource do.

Each domain's management endpoints are written out (their operation ids, bodies and
documentation are their own) and call these, so every managed record follows the same
rules: Idempotency-Key on create, If-Match on every change, a body that changes
nothing keeps the version, and one commit per request.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app.auth.dependencies import Principal
from app.container import services
from app.editing import idempotency
from app.editing.merge_patch import apply_merge_patch, validate_patched
from app.editing.preconditions import claim_version, require_if_match
from app.editing.resource import Resource
from app.editing.responses import record_response
from app.http import page_response
from app.models.base import Audited

RowT = TypeVar("RowT", bound=Audited)
CreateT = TypeVar("CreateT", bound=BaseModel)


def _now(request: Request) -> datetime:
    return services(request).clock()


def create_record(
    request: Request,
    session: Session,
    resource: Resource[Any, CreateT, Any],
    data: CreateT,
    *,
    principal: Principal,
    idempotency_key: str | None,
) -> Response:
    """201 with the record, its ETag and Location; a retried key replays the first answer."""
    reservation, replay = idempotency.begin(
        session,
        request,
        idempotency_key,
        token_id=principal.token_id,
        payload=data.model_dump(mode="json"),
    )
    if replay is not None:
        return replay
    row = resource.save(session, None, data, principal.name)
    response = record_response(
        request,
        resource.record(session, row, now=_now(request), content=data),
        etag=resource.etag(row),
        status_code=201,
        location=f"{request.url.path}/{row.id}",
    )
    idempotency.finish(session, reservation, response)
    session.commit()
    return response


def list_records(
    request: Request,
    session: Session,
    resource: Resource[Any, Any, Any],
    *,
    limit: int,
    cursor: str | None,
) -> Response:
    rows, next_cursor = resource.page(session, limit=limit, cursor=cursor)
    items = resource.records(session, rows, now=_now(request))
    return page_response(
        request, services(request).public_headers, items, next_cursor, surrogate_keys=[]
    )


def read_record(
    request: Request, session: Session, resource: Resource[Any, Any, Any], ident: int
) -> Response:
    row = resource.load(session, ident)
    return record_response(
        request, resource.record(session, row, now=_now(request)), etag=resource.etag(row)
    )


def replace_record(
    request: Request,
    session: Session,
    resource: Resource[Any, CreateT, Any],
    ident: int,
    data: CreateT,
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    return _update(request, session, resource, ident, lambda _current: data, principal, if_match)


def patch_record(
    request: Request,
    session: Session,
    resource: Resource[Any, CreateT, Any],
    ident: int,
    merge_patch: dict[str, Any],
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    def merged(current: CreateT) -> CreateT:
        document = apply_merge_patch(current.model_dump(mode="json"), merge_patch)
        return validate_patched(resource.create_schema, document)

    return _update(request, session, resource, ident, merged, principal, if_match)


def _update(
    request: Request,
    session: Session,
    resource: Resource[Any, CreateT, Any],
    ident: int,
    make: Callable[[CreateT], CreateT],
    principal: Principal,
    if_match: str | None,
) -> Response:
    row = resource.load(session, ident)
    require_if_match(if_match, resource.etag(row))
    current = resource.content(session, row)
    data = make(current)
    if data == current:
        # Nothing changed: no new version, no re-render, same ETag.
        record = resource.record(session, row, now=_now(request), content=current)
        return record_response(request, record, etag=resource.etag(row))
    claim_version(session, row, kind=resource.kind, actor=principal.name)
    row = resource.save(session, row, data, principal.name)
    return saved_record(request, session, resource, row, content=data)


def saved_record(
    request: Request,
    session: Session,
    resource: Resource[RowT, CreateT, Any],
    row: RowT,
    *,
    content: CreateT | None = None,
) -> Response:
    """The record just written, with its new ETag, once the request's work is committed."""
    record = resource.record(session, row, now=_now(request), content=content)
    response = record_response(request, record, etag=resource.etag(row))
    session.commit()
    return response


def delete_record(
    session: Session,
    resource: Resource[Any, Any, Any],
    ident: int,
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    """204 once nothing refers to the record any more (else 409, and nothing changes)."""
    row = resource.claim(session, ident, if_match, principal.name)
    resource.delete(session, row, principal)
    session.commit()
    return Response(status_code=204)
