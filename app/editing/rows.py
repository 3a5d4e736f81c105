"""The part every record write shares: create the row or overwrite its fields."""

from typing import Any, TypeVar

from sqlmodel import Session

from app.models.base import Audited

RowT = TypeVar("RowT", bound=Audited)


def save_fields(
    session: Session, model: type[RowT], row: RowT | None, fields: dict[str, Any], actor: str
) -> RowT:
    """A new row (created by `actor`) or the given one with `fields` written; flushed, so
    it has its id. Version and modified_by are the version claim's business."""
    if row is None:
        row = model(**fields, created_by=actor, modified_by=actor)
    else:
        row.sqlmodel_update(fields)
    session.add(row)
    session.flush()
    return row
