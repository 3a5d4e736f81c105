"""The create / read / replace / patch / delete routes every managed record has.

A resource is declared once (its table, write schema, record schema and the
domain functions that read and write it); this module turns that into six
operations with the same rules everywhere: scopes, If-Match, Idempotency-Key,
JSON Merge Patch, reference checks, re-rendering of published documents, and
one commit per request.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, NamedTuple, TypeVar

from fastapi import APIRouter, Body, Path, Request
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.auth.dependencies import Principal, Reader, Writer
from app.auth.scopes import Scope
from app.container import SessionDep, WriteSessionDep, services
from app.documents.refs import RefKind
from app.documents.store import refresh_embedding
from app.editing import idempotency
from app.editing.merge_patch import apply_merge_patch
from app.editing.preconditions import IfMatch, claim_version, record_etag, require_if_match
from app.editing.references import Reference, check_references
from app.editing.responses import (
    IF_MATCH_RULE,
    manage_description,
    manage_responses,
    record_response,
)
from app.editing.schemas import RecordMeta
from app.editing.usages import refuse_delete_if_used
from app.errors import FieldError, InvalidContent, NotFound
from app.http import page_response
from app.models.base import Audited
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit, Page, decode_cursor, split_page
from app.types import Id

RowT = TypeVar("RowT", bound=Audited)
CreateT = TypeVar("CreateT", bound=BaseModel)
RecordT = TypeVar("RecordT", bound=BaseModel)

MERGE_PATCH = "application/merge-patch+json"
IdentPath = Annotated[Id, Path(description="The record's id.")]


@dataclass(frozen=True)
class Phrases:
    """How the generated operations name a resource, and what its writes mean for readers."""

    one: str  # with its indefinite article: "an image"
    many: str  # "images"
    on_create: str = "Readers see it only once a published article shows it."
    on_save: str = (
        "Every published article that shows it is re-rendered in the same transaction, "
        "so readers see the change at once."
    )
    on_delete: str = (
        "While an article or another record still uses it, the answer is 409 with "
        "`used_by` listing them, and nothing is deleted."
    )


@dataclass(frozen=True)
class Resource(Generic[RowT, CreateT, RecordT]):
    kind: str  # "person": ETags, messages
    singular: str  # "Person": operation ids
    plural: str  # "People"
    path: str  # "/people"
    phrases: Phrases  # summaries and descriptions
    row: type[RowT]
    create_schema: type[CreateT]
    record_schema: type[RecordT]
    page_schema: type[Page[Any]]
    references: Callable[[CreateT], Iterable[Reference]]
    # Writes the fields and child rows; `row` is None on create. Never commits.
    write: Callable[[Session, RowT | None, CreateT, str], RowT]
    # The row's current state in the write schema's shape (what PATCH applies to).
    content: Callable[[Session, RowT], CreateT]
    # Set when published documents can embed it: each write re-renders them.
    ref_kind: RefKind | None = None
    before_delete: Callable[[Session, RowT, Principal], None] | None = None
    # Read-only fields beyond the shared ones, as of `now` (the request's clock).
    record_extra: Callable[[Session, RowT, datetime], dict[str, Any]] | None = None

    def etag(self, row: RowT) -> str:
        return record_etag(self.kind, _id(row), row.version)

    def record(
        self, request: Request, session: Session, row: RowT, content: CreateT | None = None
    ) -> RecordT:
        content = content or self.content(session, row)
        now = services(request).clock()
        extra = self.record_extra(session, row, now) if self.record_extra else {}
        return self.record_schema.model_validate({**content.model_dump(), **_meta(row), **extra})

    def load(self, session: Session, ident: int) -> RowT:
        row = session.get(self.row, ident)
        if row is None:
            raise NotFound(f"No {self.kind} has id {ident}.")
        return row

    def claim(self, session: Session, ident: int, if_match: str | None, actor: str) -> RowT:
        """The row, once If-Match holds and this request has bumped its version (else 412).
        A later error rolls the bump back with everything else."""
        row = self.load(session, ident)
        require_if_match(if_match, self.etag(row))
        claim_version(session, row, kind=self.kind, actor=actor)
        return row

    def save(self, session: Session, row: RowT | None, data: CreateT, actor: str) -> RowT:
        check_references(session, self.references(data))
        row = self.write(session, row, data, actor)
        if self.ref_kind is not None:
            refresh_embedding(session, self.ref_kind, _id(row))
        return row


def _id(row: Any) -> int:
    ident: int = row.id
    return ident


def _meta(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RecordMeta.model_fields}


def validate_patched(schema: type[CreateT], document: Any) -> CreateT:
    """Validation errors of a merged document, reported at their body location."""
    try:
        return schema.model_validate(document)
    except ValidationError as exc:
        errors = [
            FieldError(
                location=["body", *[p if isinstance(p, int) else str(p) for p in err["loc"]]],
                message=err["msg"],
                type=err["type"],
            )
            for err in exc.errors()
        ]
        raise InvalidContent("The patched record is not valid.", errors=errors) from exc


def add_crud_routes(router: APIRouter, r: Resource[Any, Any, Any], *, tag: str) -> None:
    create_schema = r.create_schema
    item = r.path + "/{ident}"

    def create(
        request: Request,
        session: WriteSessionDep,
        principal: Writer,
        data: create_schema,  # type: ignore[valid-type]
        idempotency_key: idempotency.IdempotencyKey = None,
    ) -> Response:
        payload: BaseModel = data
        reservation, replay = idempotency.begin(
            session,
            request,
            idempotency_key,
            token_id=principal.token_id,
            payload=payload.model_dump(mode="json"),
        )
        if replay is not None:
            return replay
        row = r.save(session, None, data, principal.name)
        response = record_response(
            request,
            r.record(request, session, row, data),
            etag=r.etag(row),
            status_code=201,
            location=f"{request.url.path}/{_id(row)}",
        )
        idempotency.finish(session, reservation, response)
        session.commit()
        return response

    def list_records(
        request: Request,
        session: SessionDep,
        _principal: Reader,
        limit: Limit = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> Response:
        id_column = col(r.row.id)
        statement = select(r.row).order_by(id_column.desc()).limit(limit + 1)
        if cursor is not None:
            (after,) = decode_cursor(cursor, (int,))
            statement = statement.where(id_column < after)
        rows = session.exec(statement).all()
        page, next_cursor = split_page(rows, limit, lambda row: (_id(row),))
        items = [r.record(request, session, row) for row in page]
        return page_response(
            request, services(request).public_headers, items, next_cursor, surrogate_keys=[]
        )

    def read(
        request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
    ) -> Response:
        row = r.load(session, ident)
        return record_response(request, r.record(request, session, row), etag=r.etag(row))

    def _update(
        request: Request,
        session: Session,
        principal: Principal,
        ident: int,
        if_match: str | None,
        make: Callable[[Any], Any],
    ) -> Response:
        row = r.load(session, ident)
        require_if_match(if_match, r.etag(row))
        current = r.content(session, row)
        data = make(current)
        if data == current:
            # Nothing changed: no new version, no re-render, same ETag.
            return record_response(
                request, r.record(request, session, row, current), etag=r.etag(row)
            )
        claim_version(session, row, kind=r.kind, actor=principal.name)
        row = r.save(session, row, data, principal.name)
        response = record_response(request, r.record(request, session, row, data), etag=r.etag(row))
        session.commit()
        return response

    def replace(
        request: Request,
        session: WriteSessionDep,
        principal: Writer,
        ident: IdentPath,
        data: create_schema,  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> Response:
        return _update(request, session, principal, ident, if_match, lambda _current: data)

    def patch(
        request: Request,
        session: WriteSessionDep,
        principal: Writer,
        ident: IdentPath,
        merge_patch: Annotated[
            dict[str, Any],
            Body(media_type=MERGE_PATCH, description="A JSON Merge Patch (RFC 7386)."),
        ],
        if_match: IfMatch = None,
    ) -> Response:
        def merged(current: BaseModel) -> Any:
            document = apply_merge_patch(current.model_dump(mode="json"), merge_patch)
            return validate_patched(create_schema, document)

        return _update(request, session, principal, ident, if_match, merged)

    def delete(
        session: WriteSessionDep, principal: Writer, ident: IdentPath, if_match: IfMatch = None
    ) -> Response:
        row = r.claim(session, ident, if_match, principal.name)
        if r.before_delete is not None:
            r.before_delete(session, row, principal)
        if r.ref_kind is not None:
            refuse_delete_if_used(session, r.ref_kind, ident)
        session.delete(row)
        session.commit()
        return Response(status_code=204)

    s, p, record = r.singular, r.plural, r.record_schema
    one, many = r.phrases.one, r.phrases.many
    write_errors = (404, 409, 412, 413, 422, 428)
    operations = [
        _Operation(
            r.path,
            create,
            "POST",
            201,
            record,
            f"create{s}",
            f"Create {one}",
            manage_description(
                f"Creates {one} and returns its record (201) with its ETag and Location.",
                r.phrases.on_create,
                "With an `Idempotency-Key`, a retry replays the first response "
                "instead of creating a second record.",
                scope=Scope.content_write,
            ),
            (409, 413, 422),
        ),
        _Operation(
            r.path,
            list_records,
            "GET",
            200,
            r.page_schema,
            f"listManaged{p}",
            f"List all {many}, newest first",
            manage_description(
                f"All {many} as editors see them, whether or not readers can, newest "
                "first and paged by cursor.",
                scope=Scope.content_read,
            ),
            (400, 422),
        ),
        _Operation(
            item,
            read,
            "GET",
            200,
            record,
            f"getManaged{s}",
            f"Get {one} as editors see it",
            manage_description(
                f"The record of {one}, whether or not readers can see it, with its version "
                "and who created and last changed it.",
                "Its ETag is what writes send in `If-Match`; `If-None-Match` with it answers 304.",
                scope=Scope.content_read,
            ),
            (404, 422),
        ),
        _Operation(
            item,
            replace,
            "PUT",
            200,
            record,
            f"replace{s}",
            f"Replace {one}",
            manage_description(
                "Replaces every editable field with the body (fields left out take their "
                "defaults) and returns the record with its new ETag; a body that changes "
                "nothing keeps the version.",
                r.phrases.on_save,
                IF_MATCH_RULE,
                scope=Scope.content_write,
            ),
            write_errors,
        ),
        _Operation(
            item,
            patch,
            "PATCH",
            200,
            record,
            f"update{s}",
            f"Change some fields of {one} (merge patch)",
            manage_description(
                "Applies a JSON Merge Patch (RFC 7386): objects merge key by key, `null` "
                "removes a field and a list replaces the whole list; the result is "
                "validated like a replace and returned with its new ETag.",
                r.phrases.on_save,
                IF_MATCH_RULE,
                scope=Scope.content_write,
            ),
            write_errors,
        ),
        _Operation(
            item,
            delete,
            "DELETE",
            204,
            None,
            f"delete{s}",
            f"Delete {one}",
            manage_description(
                f"Deletes {one} and answers 204 with no body.",
                r.phrases.on_delete,
                IF_MATCH_RULE,
                scope=Scope.content_write,
            ),
            (404, 409, 412, 422, 428),
        ),
    ]
    for operation in operations:
        router.add_api_route(
            operation.path,
            operation.endpoint,
            methods=[operation.method],
            status_code=operation.status,
            response_model=operation.model,
            operation_id=operation.operation_id,
            summary=operation.summary,
            description=operation.description,
            responses=manage_responses(*operation.errors),
            tags=[tag],
        )


class _Operation(NamedTuple):
    path: str
    endpoint: Callable[..., Response]
    method: str
    status: int
    model: Any
    operation_id: str
    summary: str
    description: str
    errors: tuple[int, ...]
