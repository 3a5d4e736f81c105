"""A managed record type, declared once per domain, and the steps every write of it takes.

A resource names its table, its write and record schemas and the domain functions
that read and write it. The management endpoints call its steps, so the rules are
the same everywhere: reference checks, If-Match, the version claim and re-rendering
of the published documents that embed the record.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.auth.dependencies import Principal
from app.documents.refs import RefKind
from app.documents.store import refresh_embedding
from app.editing.preconditions import claim_version, record_etag, require_if_match
from app.editing.references import Reference, check_references
from app.editing.schemas import RecordMeta
from app.editing.usages import refuse_delete_if_used
from app.errors import NotFound
from app.models.base import Audited
from app.pagination import decode_cursor, split_page
from app.types import Id

RowT = TypeVar("RowT", bound=Audited)
CreateT = TypeVar("CreateT", bound=BaseModel)
RecordT = TypeVar("RecordT", bound=BaseModel)

IdentPath = Annotated[Id, Path(description="The record's id.")]


@dataclass(frozen=True)
class Resource(Generic[RowT, CreateT, RecordT]):
    kind: str  # "person": ETags and messages
    row: type[RowT]
    create_schema: type[CreateT]
    record_schema: type[RecordT]
    references: Callable[[CreateT], Iterable[Reference]]
    # Writes the fields and child rows; `row` is None on create. Never commits.
    write: Callable[[Session, RowT | None, CreateT, str], RowT]
    # The rows' current state in the write schema's shape (what PATCH applies to), in
    # their order, loaded with the same number of queries for one row as for a page.
    contents: Callable[[Session, Sequence[RowT]], list[CreateT]]
    # Set when published documents can embed it: each write re-renders them.
    ref_kind: RefKind | None = None
    before_delete: Callable[[Session, RowT, Principal], None] | None = None
    # Read-only fields beyond the shared ones as of `now` (the request's clock), batched
    # like `contents`.
    extras: Callable[[Session, Sequence[RowT], datetime], list[dict[str, Any]]] | None = None

    def etag(self, row: RowT) -> str:
        return record_etag(self.kind, _id(row), row.version)

    def load(self, session: Session, ident: int) -> RowT:
        row = session.get(self.row, ident)
        if row is None:
            raise NotFound(f"No {self.kind} has id {ident}.")
        return row

    def page(
        self, session: Session, *, limit: int, cursor: str | None
    ) -> tuple[Sequence[RowT], str | None]:
        """Newest first: ids only grow, so the id is the whole keyset."""
        id_column = col(getattr(self.row, "id"))  # noqa: B009 - every audited table has an id
        statement = select(self.row).order_by(id_column.desc()).limit(limit + 1)
        if cursor is not None:
            (before,) = decode_cursor(cursor, (int,))
            statement = statement.where(id_column < before)
        return split_page(session.exec(statement).all(), limit, lambda row: (_id(row),))

    def content(self, session: Session, row: RowT) -> CreateT:
        (content,) = self.contents(session, [row])
        return content

    def records(
        self,
        session: Session,
        rows: Sequence[RowT],
        *,
        now: datetime,
        contents: Sequence[CreateT] | None = None,
    ) -> list[RecordT]:
        """The records of `rows`, built with a constant number of queries; `contents`
        when the caller already holds them (it just wrote them)."""
        contents = self.contents(session, rows) if contents is None else contents
        extras = self.extras(session, rows, now) if self.extras else [{}] * len(rows)
        return [
            self.record_schema.model_validate({**content.model_dump(), **_meta(row), **extra})
            for row, content, extra in zip(rows, contents, extras, strict=True)
        ]

    def record(
        self, session: Session, row: RowT, *, now: datetime, content: CreateT | None = None
    ) -> RecordT:
        (record,) = self.records(
            session, [row], now=now, contents=None if content is None else [content]
        )
        return record

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

    def delete(self, session: Session, row: RowT, principal: Principal) -> None:
        """Refused (nothing deleted) while a published document or another record uses it."""
        if self.before_delete is not None:
            self.before_delete(session, row, principal)
        if self.ref_kind is not None:
            refuse_delete_if_used(session, self.ref_kind, _id(row))
        session.delete(row)


def _id(row: Any) -> int:
    ident: int = row.id
    return ident


def _meta(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RecordMeta.model_fields}
