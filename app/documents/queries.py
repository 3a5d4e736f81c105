"""Reads over the published documents: the only article tables public routes touch."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import Session, col

from app.documents.refs import RefKind
from app.models import ArticleSlugRedirect, PublishedArticle, PublishedArticleRef, Tag

PA = PublishedArticle
REF = PublishedArticleRef


def visible(now: datetime) -> ColumnElement[bool]:
    return col(PA.published_at) <= now


def _ref_visible(kind: RefKind, now: datetime) -> ColumnElement[bool]:
    return (col(REF.ref_kind) == kind.value) & (col(REF.published_at) <= now)


def has_ref(kind: RefKind, ident: int, now: datetime) -> ColumnElement[bool]:
    """Published articles that embed (kind, ident): the filter behind every sub-list."""
    return col(PA.article_id).in_(
        select(col(REF.article_id)).where(_ref_visible(kind, now), col(REF.ref_id) == ident)
    )


def redirected_slug(session: Session, slug: str, now: datetime) -> str | None:
    """The current slug of a visible article once published under `slug`."""
    return session.execute(
        select(col(PA.slug))
        .join(ArticleSlugRedirect, col(ArticleSlugRedirect.article_id) == col(PA.article_id))
        .where(col(ArticleSlugRedirect.slug) == slug, visible(now))
    ).scalar_one_or_none()


def article_id_by_slug(session: Session, slug: str, now: datetime) -> int | None:
    return session.execute(
        select(col(PA.article_id)).where(col(PA.slug) == slug, visible(now))
    ).scalar_one_or_none()


def visible_ref_ids(kind: RefKind, now: datetime) -> Select[Any]:
    """Ids of records of one kind that some visible published article embeds."""
    return select(col(REF.ref_id)).where(_ref_visible(kind, now))


def counts_by_ref(
    session: Session, kind: RefKind, ids: Sequence[int], now: datetime
) -> dict[int, int]:
    rows = session.execute(
        select(col(REF.ref_id), func.count())
        .where(_ref_visible(kind, now), col(REF.ref_id).in_(ids))
        .group_by(col(REF.ref_id))
    )
    return {ref_id: count for ref_id, count in rows}


def is_visible(session: Session, kind: RefKind, ident: int, now: datetime) -> bool:
    """Whether a visible published article embeds this record."""
    return (
        session.execute(visible_ref_ids(kind, now).where(col(REF.ref_id) == ident).limit(1)).first()
        is not None
    )


class StoredSummary(NamedTuple):
    summary: bytes
    etag: str


def summaries_by_id(
    session: Session, ids: Sequence[int], now: datetime
) -> dict[int, StoredSummary]:
    """Stored summaries (with their document's ETag) of the articles visible now."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(PA.article_id), col(PA.summary), col(PA.etag)).where(
            col(PA.article_id).in_(ids), visible(now)
        )
    )
    return {article_id: StoredSummary(summary, etag) for article_id, summary, etag in rows}


def tag_id(session: Session, slug: str) -> int | None:
    return session.execute(select(col(Tag.id)).where(col(Tag.slug) == slug)).scalar_one_or_none()
