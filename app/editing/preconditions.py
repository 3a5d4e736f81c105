"""Optimistic concurrency: ETags of managed records, If-Match, and the version claim."""

from typing import Annotated

from fastapi import Header
from sqlalchemy import Table, update
from sqlmodel import Session

from app.errors import PreconditionFailed, PreconditionRequired
from app.http import etag_matches
from app.models.base import Audited, utcnow


def record_etag(kind: str, ident: int, version: int) -> str:
    return f'"{kind}-{ident}-v{version}"'


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag from your last read of the record. Without it: 428; "
        "stale: 412 and nothing changes.",
        max_length=1024,
    ),
]


def require_if_match(header: str | None, current: str) -> None:
    """428 without If-Match; 412 (with the current ETag) when it is stale."""
    if header is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last read of this record.",
        )
    if not etag_matches(header, current, weak=False):
        raise PreconditionFailed(
            "The record changed since you read it; re-read it and apply your edit again.",
            headers={"ETag": current},
        )


def claim_version(session: Session, row: Audited, *, kind: str, actor: str) -> None:
    """Bump the version only if nobody else did since we read it, else 412.

    The conditional UPDATE is the real guard: two requests that both passed the
    If-Match check race here, and the database lets exactly one of them win.
    """
    # SQLModel sets __table__ on every table model but does not declare it to type checkers.
    table: Table = type(row).__table__  # type: ignore[attr-defined]
    ident = getattr(row, "id")  # noqa: B009 - every audited table has an integer id
    expected = row.version
    result = session.execute(
        update(table)
        .where(table.c.id == ident, table.c.version == expected)
        .values(version=expected + 1, modified_at=utcnow(), modified_by=actor)
    )
    # An UPDATE gives a CursorResult, which has rowcount; Session.execute is typed as Result.
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(row)
        raise PreconditionFailed(
            "The record changed since you read it; re-read it and apply your edit again.",
            headers={"ETag": record_etag(kind, ident, row.version)},
        )
    session.refresh(row)
