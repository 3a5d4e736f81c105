"""Public article lists: filters, cursors and related articles."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from app.documents import queries
from app.documents.queries import PA, SummaryRow
from app.documents.refs import RefKind
from app.errors import NotFound
from app.models.enums import ArticleType
from app.pagination import decode_cursor, split_page

ARTICLE_CURSOR = (datetime, int)


@dataclass(frozen=True)
class ArticleFilters:
    author: int | None = None
    person: int | None = None
    tag: str | None = None
    type: ArticleType | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None


def _conditions(
    session: Session, filters: ArticleFilters, now: datetime
) -> list[ColumnElement[bool]] | None:
    """SQL conditions for the filters; None when they cannot match anything."""
    conditions: list[ColumnElement[bool]] = []
    if filters.author is not None:
        conditions.append(queries.has_ref(RefKind.author, filters.author, now))
    if filters.person is not None:
        conditions.append(queries.has_ref(RefKind.mention, filters.person, now))
    if filters.tag is not None:
        tag_id = queries.tag_id(session, filters.tag)
        if tag_id is None:
            return None
        conditions.append(queries.has_ref(RefKind.tag, tag_id, now))
    if filters.type is not None:
        conditions.append(col(PA.type) == filters.type.value)
    if filters.published_after is not None:
        conditions.append(col(PA.published_at) > filters.published_after)
    if filters.published_before is not None:
        conditions.append(col(PA.published_at) < filters.published_before)
    return conditions


class SummaryPage(NamedTuple):
    rows: Sequence[SummaryRow]
    next_cursor: str | None


class RelatedArticles(NamedTuple):
    article_id: int
    page: SummaryPage


def find_articles(
    session: Session,
    *,
    now: datetime,
    filters: ArticleFilters,
    limit: int,
    cursor: str | None,
) -> SummaryPage:
    after = decode_cursor(cursor, ARTICLE_CURSOR) if cursor is not None else None
    conditions = _conditions(session, filters, now)
    rows = (
        []
        if conditions is None
        else queries.summaries_page(
            session, now=now, conditions=conditions, after=after, limit=limit + 1
        )
    )
    return _split(rows, limit)


def related_articles(session: Session, *, now: datetime, slug: str, limit: int) -> RelatedArticles:
    article_id = queries.article_id_by_slug(session, slug, now)
    if article_id is None:
        raise NotFound(f"No published article has the slug {slug!r}.")
    rows = queries.related_summaries(session, article_id, now=now, limit=limit)
    return RelatedArticles(article_id, _split(rows, limit))


def _split(rows: Sequence[SummaryRow], limit: int) -> SummaryPage:
    return SummaryPage(*split_page(rows, limit, lambda row: (row.published_at, row.article_id)))
