"""Adding views to buckets by atomic upsert, the one write every store ends in."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.models import ViewBucket, ViewFlush, ViewVisitor
from app.popularity.windows import HOUR

BucketKey = tuple[int, datetime]  # (article id, bucket start)
# A batch's record must outlive its Redis key, which lives on only while Redis is
# unreachable by the flushes; a week is far beyond any outage that keeps Redis's data.
KEEP_FLUSH_RECORDS = timedelta(days=7)


def _insert(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def _add_views_statement(dialect: str) -> Any:
    # Built once: building the upsert (its `excluded` alias above all) costs more than
    # running it for a batch of beacons.
    statement = _insert(dialect, ViewBucket)
    return statement.on_conflict_do_update(
        index_elements=["article_id", "granularity", "bucket_start"],
        set_={"views": ViewBucket.views + statement.excluded.views},
    )


def add_views(session: Session, counts: Mapping[BucketKey, int], granularity: str = HOUR) -> None:
    """views += n for each bucket, creating it when new; concurrent adds never lose one."""
    if not counts:
        return
    session.execute(
        _add_views_statement(session.get_bind().dialect.name),
        [
            {"article_id": a, "granularity": granularity, "bucket_start": b, "views": n}
            for (a, b), n in sorted(counts.items())
        ],
    )


def first_view_in(
    session: Session, article_id: int, visitor_hash: str, now: datetime, dedup: timedelta
) -> bool:
    """Record the visitor's view unless one was counted within `dedup`; True if counted."""
    statement = _insert(session.get_bind().dialect.name, ViewVisitor).values(
        article_id=article_id, visitor_hash=visitor_hash, counted_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["article_id", "visitor_hash"],
        set_={"counted_at": statement.excluded.counted_at},
        where=ViewVisitor.counted_at <= now - dedup,
    ).returning(ViewVisitor.article_id)
    return session.execute(statement).first() is not None


def first_flush_of(session: Session, batch: str, now: datetime) -> bool:
    """Record a Redis batch as moved, in the transaction that adds its views; False when
    it already was. On PostgreSQL a concurrent flush of the same batch waits for this
    transaction and then finds the row, so two flushes never both add it."""
    statement = (
        _insert(session.get_bind().dialect.name, ViewFlush)
        .values(batch=batch, flushed_at=now)
        .on_conflict_do_nothing(index_elements=["batch"])
        .returning(ViewFlush.batch)
    )
    if session.execute(statement).first() is None:
        return False
    session.execute(delete(ViewFlush).where(col(ViewFlush.flushed_at) < now - KEEP_FLUSH_RECORDS))
    return True
