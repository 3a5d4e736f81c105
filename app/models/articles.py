"""Articles and their ordered links to people, images, quotes and tags.

The body (a list of typed blocks) is the source of truth for placed images and
quotes; `article_images` and `article_quotes` are kept in step with it on every
save so "which articles use image 7" is one indexed query.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.base import Audited, JSONType, UTCDateTime, enum_type, utcnow
from app.models.enums import ArticleStatus, ArticleType


def _fk(target: str, *, primary_key: bool = False, ondelete: str = "CASCADE") -> Any:
    return Field(
        sa_column=Column(
            Integer,
            ForeignKey(target, ondelete=ondelete),
            primary_key=primary_key,
            nullable=False,
            index=not primary_key,
        )
    )


class Article(Audited, table=True):
    __tablename__ = "articles"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(120), unique=True)
    type: ArticleType = Field(sa_type=enum_type(ArticleType))
    kicker: str | None = Field(default=None, sa_type=String(80))
    headline: str = Field(sa_type=String(500))
    dek: str | None = Field(default=None, sa_type=String(500))
    language: str = Field(default="en", sa_type=String(16))
    body: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    author_note: str | None = Field(default=None, sa_type=Text)
    lead_image_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("images.id", ondelete="RESTRICT"), nullable=True),
    )
    lead_image_caption: str | None = Field(default=None, sa_type=Text)
    # How search engines and social cards show the article; unset, the headline, dek and
    # lead image stand in.
    seo_headline: str | None = Field(default=None, sa_type=String(110))
    seo_description: str | None = Field(default=None, sa_type=String(300))
    social_headline: str | None = Field(default=None, sa_type=String(110))
    social_description: str | None = Field(default=None, sa_type=String(300))
    social_image_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("images.id", ondelete="RESTRICT"), nullable=True),
    )
    # Where the article first ran, for a syndicated piece; unset, its page on this site.
    canonical_url: str | None = Field(default=None, sa_type=String(2048))
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: ArticleStatus = Field(default=ArticleStatus.draft, sa_type=enum_type(ArticleStatus))
    # What readers see: the revision last published, from published_at on.
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, sa_type=String(200))
    published_revision: int | None = Field(
        default=None, description="The number of the revision readers see."
    )


class ArticleAuthor(SQLModel, table=True):
    __tablename__ = "article_authors"

    article_id: int = _fk("articles.id", primary_key=True)
    person_id: int = _fk("people.id", primary_key=True, ondelete="RESTRICT")
    position: int


class ArticleMention(SQLModel, table=True):
    """A person or organization the article mentions, with their role at the time."""

    __tablename__ = "article_mentions"

    article_id: int = _fk("articles.id", primary_key=True)
    person_id: int = _fk("people.id", primary_key=True, ondelete="RESTRICT")
    position: int
    role: str | None = Field(default=None, sa_type=String(200))


class ArticleImage(SQLModel, table=True):
    """An image an article uses: the lead (position 0), a body block (its position from 1),
    or the social card (after the last block)."""

    __tablename__ = "article_images"

    article_id: int = _fk("articles.id", primary_key=True)
    position: int = Field(primary_key=True)
    image_id: int = _fk("images.id", ondelete="RESTRICT")
    caption: str | None = Field(default=None, sa_type=Text)
    is_lead: bool = False


class ArticleQuote(SQLModel, table=True):
    __tablename__ = "article_quotes"

    article_id: int = _fk("articles.id", primary_key=True)
    quote_id: int = _fk("quotes.id", primary_key=True, ondelete="RESTRICT")
    position: int


class ArticleTag(SQLModel, table=True):
    __tablename__ = "article_tags"

    article_id: int = _fk("articles.id", primary_key=True)
    tag_id: int = _fk("tags.id", primary_key=True, ondelete="RESTRICT")
    position: int


class CorrectionKind(StrEnum):
    correction = "correction"
    update = "update"


class ArticleCorrection(SQLModel, table=True):
    """A dated correction or update note, in the order the article shows them.

    Indexed by time, so a corrections page across the site is one range scan."""

    __tablename__ = "article_corrections"

    article_id: int = _fk("articles.id", primary_key=True)
    position: int = Field(primary_key=True)
    kind: CorrectionKind = Field(sa_type=enum_type(CorrectionKind))
    text: str = Field(sa_type=Text)
    noted_at: datetime = Field(sa_type=UTCDateTime, index=True)


class ArticleRevision(SQLModel, table=True):
    """An immutable snapshot of an article's content, kept at every save and publish."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = _fk("articles.id")
    number: int
    action: str = Field(sa_type=String(16))
    content: dict[str, Any] = Field(sa_type=JSONType)
    changed_fields: list[str] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, sa_type=String(200))


class ArticleSlugRedirect(SQLModel, table=True):
    """A slug an article was published under before; it answers 301 to the current one."""

    __tablename__ = "article_slug_redirects"

    slug: str = Field(sa_type=String(120), primary_key=True)
    article_id: int = _fk("articles.id")
