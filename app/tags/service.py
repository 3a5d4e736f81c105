"""Tags that published articles are filed under."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.documents import queries
from app.documents.refs import RefKind
from app.editing.rows import save_fields
from app.errors import Conflict
from app.models import Tag
from app.models.enums import TagKind
from app.pagination import after_keyset, decode_cursor, split_page
from app.tags.schemas import TagCreate, TagPublic

TAG_CURSOR = (str,)


def tags_page(
    session: Session, *, now: datetime, kind: TagKind | None, limit: int, cursor: str | None
) -> tuple[list[TagPublic], str | None]:
    statement = select(Tag).where(col(Tag.id).in_(queries.visible_ref_ids(RefKind.tag, now)))
    if kind is not None:
        statement = statement.where(Tag.kind == kind)
    if cursor is not None:
        after = decode_cursor(cursor, TAG_CURSOR)
        statement = statement.where(after_keyset([col(Tag.slug)], after, descending=False))
    rows = session.exec(statement.order_by(col(Tag.slug)).limit(limit + 1)).all()
    page, next_cursor = split_page(rows, limit, lambda tag: (tag.slug,))
    counts = queries.counts_by_ref(session, RefKind.tag, [t.id for t in page if t.id], now)
    items = [
        TagPublic.model_validate({**tag.model_dump(), "article_count": counts.get(tag.id or 0, 0)})
        for tag in page
    ]
    return items, next_cursor


def write_tag(session: Session, row: Tag | None, data: TagCreate, actor: str) -> Tag:
    taken = session.exec(select(Tag.id).where(Tag.slug == data.slug)).first()
    if taken is not None and (row is None or taken != row.id):
        raise Conflict(f"Another tag already has the slug {data.slug!r}.")
    return save_fields(session, Tag, row, data.model_dump(), actor)


def tag_contents(_session: Session, rows: Sequence[Tag]) -> list[TagCreate]:
    fields = set(TagCreate.model_fields)
    return [TagCreate.model_validate(row.model_dump(include=fields)) for row in rows]
