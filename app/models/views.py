"""Page views: counted per article per hour (or per day once compacted), never on the article.

An editor's save never touches these rows, so a burst of views cannot race an edit.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlmodel import Column, Field, SQLModel

from app.models.base import UTCDateTime


class ViewBucket(SQLModel, table=True):
    __tablename__ = "view_buckets"
    __table_args__ = (
        # Covers the ranking query: a range of buckets, summed per article.
        Index(None, "bucket_start", "article_id", "views"),
    )

    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    )
    granularity: str = Field(sa_type=String(4), primary_key=True)  # "hour" or "day"
    bucket_start: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    views: int


class ViewVisitor(SQLModel, table=True):
    """When a visitor's view of an article was last counted, for de-duplication."""

    __tablename__ = "view_visitors"

    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    )
    visitor_hash: str = Field(sa_type=String(64), primary_key=True)
    counted_at: datetime = Field(sa_type=UTCDateTime, index=True)


class ViewFlush(SQLModel, table=True):
    """A batch of views moved from Redis, recorded with its counts so it is never moved twice.

    The Redis key of a batch is deleted only after its counts are committed; a flush that
    dies in between leaves the key behind for the next flush, which finds this row.
    """

    __tablename__ = "view_flushes"

    batch: str = Field(sa_type=String(32), primary_key=True)
    flushed_at: datetime = Field(sa_type=UTCDateTime, index=True)
