"""Recording beacons, importing counted views, and answering the popular list."""

import time
from collections import Counter
from datetime import datetime, timedelta

import orjson
from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.documents import queries
from app.documents.queries import visible
from app.errors import FieldError, InvalidContent, ViewsRejected
from app.http import etag_for
from app.models import PublishedArticle, ViewBucket, ViewVisitor
from app.popularity.counts import BucketKey, add_views
from app.popularity.ranking import KeptRanking, PageKey, PopularPageBytes, RankingCache, RankingKey
from app.popularity.schemas import ViewBatch, ViewBatchResult, ViewBeacon
from app.popularity.windows import (
    DAY,
    HOUR,
    compaction_cutoff,
    floor_day,
    floor_hour,
    window_start,
)
from app.progress import Progress

MAX_BEACON_BYTES = 1024
COMPACT_BATCH = 10_000


def parse_beacon(body: bytes) -> ViewBeacon:
    """JSON whatever the declared type: sendBeacon posts strings as text/plain."""
    if not body.strip():
        return ViewBeacon()
    try:
        return ViewBeacon.model_validate(orjson.loads(body))
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise InvalidContent(
            'The beacon body must be empty or JSON like {"visitor_id": "..."}.',
            errors=[
                FieldError(location=["body"], message=str(exc).splitlines()[0], type="beacon_body")
            ],
        ) from exc


def import_views(
    session: Session, batch: ViewBatch, *, now: datetime, retention: timedelta
) -> ViewBatchResult:
    """All rows or none: any row naming an unknown article or an out-of-range time is a 422."""
    slugs = {row.slug for row in batch.rows}
    ids = dict(
        session.exec(
            select(PublishedArticle.slug, PublishedArticle.article_id).where(
                col(PublishedArticle.slug).in_(slugs), visible(now)
            )
        ).all()
    )
    oldest = now - retention
    errors: list[FieldError] = []
    counts: Counter[BucketKey] = Counter()
    for i, row in enumerate(batch.rows):
        if row.slug not in ids:
            errors.append(
                FieldError(
                    location=["body", "rows", i, "slug"],
                    message=f"No published article has the slug {row.slug!r}.",
                    type="unknown_article",
                )
            )
        if row.viewed_at > now:
            errors.append(
                FieldError(
                    location=["body", "rows", i, "viewed_at"],
                    message="Views cannot be in the future.",
                    type="future",
                )
            )
        elif row.viewed_at < oldest:
            errors.append(
                FieldError(
                    location=["body", "rows", i, "viewed_at"],
                    message=f"Views older than {retention.days} days are not kept.",
                    type="past_retention",
                )
            )
        if row.slug in ids:
            counts[(ids[row.slug], floor_hour(row.viewed_at))] += row.count
    if errors:
        rows = sorted({int(e.location[2]) for e in errors})
        raise ViewsRejected(
            f"{len(rows)} row(s) rejected (0-based: {', '.join(map(str, rows[:20]))}"
            f"{'...' if len(rows) > 20 else ''}); nothing was counted.",
            errors=errors,
        )
    add_views(session, counts)
    return ViewBatchResult(rows=len(batch.rows), views=sum(counts.values()))


def compact_views(
    session: Session,
    *,
    now: datetime,
    after_days: int,
    retention: timedelta,
    dedup: timedelta,
    progress: Progress | None = None,
) -> int:
    """Fold old hourly buckets into daily ones, drop what is past retention, and forget
    visitors whose de-duplication window has passed. Returns the hourly buckets folded."""
    cutoff = compaction_cutoff(now, after_days)
    hourly = (col(ViewBucket.granularity) == HOUR) & (col(ViewBucket.bucket_start) < cutoff)
    # Counting first costs a second pass over the index, so only a caller showing progress pays it.
    total = (
        session.execute(select(func.count()).select_from(ViewBucket).where(hourly)).scalar_one()
        if progress is not None
        else 0
    )
    daily: Counter[BucketKey] = Counter()
    folded = 0
    rows = session.execute(
        select(col(ViewBucket.article_id), col(ViewBucket.bucket_start), col(ViewBucket.views))
        .where(hourly)
        .execution_options(yield_per=COMPACT_BATCH)
    )
    for article_id, bucket_start, views in rows:
        daily[(article_id, floor_day(bucket_start))] += views
        folded += 1
        if progress is not None and folded % COMPACT_BATCH == 0:
            progress(folded, total)
    if progress is not None:
        progress(folded, total)
    add_views(session, daily, granularity=DAY)
    session.execute(delete(ViewBucket).where(hourly))
    session.execute(
        delete(ViewBucket).where(col(ViewBucket.bucket_start) < floor_day(now - retention))
    )
    session.execute(delete(ViewVisitor).where(col(ViewVisitor.counted_at) < now - dedup))
    return folded


def popular_page(
    session: Session, rankings: RankingCache, key: PageKey, now: datetime
) -> PopularPageBytes:
    """The finished /v1/popular page for `key`: stored summaries with their view counts."""
    tag_id = queries.tag_id(session, key.tag) if key.tag is not None else None
    # An unknown tag filters everything out, as it does on /v1/articles.
    ranked_at, ranking = (
        KeptRanking(time.monotonic(), [])
        if key.tag is not None and tag_id is None
        else rankings.get(RankingKey(window=key.window, type=key.type, tag_id=tag_id), now)
    )
    summaries = queries.summaries_by_id(session, [a for a, _ in ranking], now)
    shown = [(a, v) for a, v in ranking if a in summaries][: key.limit]
    body = orjson.dumps(
        {
            "items": [{**orjson.loads(summaries[a].summary), "views": v} for a, v in shown],
            "next_cursor": None,
            "window": key.window.value,
            "since": window_start(key.window, now),
        }
    )
    return PopularPageBytes(
        body=body,
        etag=etag_for(body),
        article_etags={a: summaries[a].etag for a, _ in shown},
        ranked_at=ranked_at,
    )
