"""Derived tables: the published documents readers get, and what each embeds.

Public endpoints read only these tables for articles, so nothing that is not
published can reach a reader. `byline rebuild-documents` regenerates them.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlmodel import Column, Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class PublishedArticle(SQLModel, table=True):
    __tablename__ = "published_articles"
    __table_args__ = (
        Index(None, "published_at", "article_id"),
        Index(None, "type", "published_at", "article_id"),
    )

    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    )
    slug: str = Field(sa_type=String(120), unique=True)
    type: str = Field(sa_type=String(16))
    published_at: datetime = Field(sa_type=UTCDateTime)
    document: bytes = Field(sa_type=LargeBinary)
    summary: bytes = Field(sa_type=LargeBinary)
    etag: str = Field(sa_type=String(64))
    surrogate_keys: str = Field(sa_type=Text)
    rendered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PublishedArticleRef(SQLModel, table=True):
    """One thing a published document embeds or is filed under.

    `ref_kind` is one of RefKind; `published_at` is copied from the document
    so per-author and per-tag lists page with one index.
    """

    __tablename__ = "published_article_refs"
    __table_args__ = (Index(None, "ref_kind", "ref_id", "published_at", "article_id"),)

    article_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("published_articles.article_id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    ref_kind: str = Field(sa_type=String(16), primary_key=True)
    ref_id: int = Field(primary_key=True)
    published_at: datetime = Field(sa_type=UTCDateTime)
