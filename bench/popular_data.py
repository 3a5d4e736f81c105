"""A large newsroom for /v1/popular: 100,000 published articles, 10 million views, 30 days.

Built straight into SQLite with the stdlib driver (not through the API, which would take
hours), then compacted by the app's own `compact_views`, and cached under bench/out/
keyed by the dataset version and the schema head, so reruns reuse it.

The views are hourly bucket rows (article, 'hour', start, views) summing to exactly
10,000,000: each hour's total follows a daily rhythm (peak around 15:00 UTC, trough
around 03:00 at 40% of the peak); 65% of an hour's views go to articles published in the
72 hours before it (weighted by a Zipf popularity times a decay with age), 35% to the
archive (the same Zipf weights over every article published before the 30 days).
"""

import bisect
import hashlib
import itertools
import json
import math
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.db import create_db_engine
from app.documents.articles import ArticleCreate, ArticleDocument, ArticleSummary, SocialCard
from app.documents.render import RenderTarget, common_fields
from app.documents.web import NO_WEB_LINKS
from app.http import etag_for
from app.migrate import head_revision, upgrade
from app.models.enums import ArticleType
from app.popularity.counts import add_views
from app.popularity.service import compact_views
from app.popularity.windows import HOUR, floor_hour

# Bump when the generator changes: the cached file is then rebuilt.
VERSION = 1
ARTICLES = 100_000
VIEWS = 10_000_000
DAYS = 30
SEED = 20261125
ARCHIVE_DAYS = 365  # articles are published evenly over the year before "now"
FRESH_SHARE = 0.65
FRESH_HOURS = 72
ZIPF_EXPONENT = 1.0
COMPACT_AFTER_DAYS = 14
RETENTION = timedelta(days=90)
DEDUP = timedelta(minutes=30)
# How SQLAlchemy's DateTime stores a value on SQLite (naive UTC, microseconds).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
SQLITE_DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
TYPES = (ArticleType.news, ArticleType.opinion, ArticleType.analysis)
TYPE_WEIGHTS = (70, 15, 15)
AUTHOR = "bench"


class PopularDataError(RuntimeError):
    pass


@dataclass(frozen=True)
class PopularDataset:
    path: Path
    database_url: str
    key: str
    # The dataset's "now": views run up to it; the server's clock starts there.
    anchor: datetime
    articles: int
    views: int
    hourly_rows_before: int
    hourly_rows_after: int
    daily_rows_after: int
    folded: int
    compact_s: float
    load_s: float
    built_at: datetime
    reused: bool

    def metadata(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["anchor"] = self.anchor.isoformat()
        data["built_at"] = self.built_at.isoformat()
        del data["reused"]
        return data


def sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_DATETIME)


def schema_head() -> str:
    return head_revision() or "none"


def dataset_key() -> str:
    params = f"{VERSION}:{ARTICLES}:{VIEWS}:{DAYS}:{SEED}:{schema_head()}"
    digest = hashlib.sha256(params.encode()).hexdigest()[:10]
    return f"popular-v{VERSION}-{ARTICLES // 1000}k-{VIEWS // 1_000_000}m-{digest}"


@dataclass(frozen=True)
class _Article:
    id: int
    slug: str
    type: ArticleType
    published_at: datetime


def _articles(anchor: datetime, rng: random.Random) -> list[_Article]:
    """Evenly over the year before the anchor; the newest a minute before it."""
    step = timedelta(days=ARCHIVE_DAYS) / ARTICLES
    first = anchor - timedelta(minutes=1) - step * (ARTICLES - 1)
    types = rng.choices(TYPES, weights=TYPE_WEIGHTS, k=ARTICLES)
    return [
        _Article(
            id=i + 1,
            slug=f"bench-article-{i + 1:06d}",
            type=types[i],
            published_at=(first + step * i).replace(microsecond=0),
        )
        for i in range(ARTICLES)
    ]


def _content(article: _Article) -> ArticleCreate:
    return ArticleCreate(
        slug=article.slug,
        type=article.type,
        headline=f"Benchmark article number {article.id}",
        dek=f"A generated article, one of {ARTICLES:,}, for the most-read benchmark.",
    )


def _rendered(article: _Article, content: ArticleCreate) -> tuple[bytes, bytes]:
    """Document and summary bytes, made by the app's own schemas as the renderer does."""
    common = common_fields(
        NO_WEB_LINKS, RenderTarget(article.id, content, article.published_at), []
    )
    document = ArticleDocument(
        **common,
        authors=[],
        lead_image=None,
        body=[],
        author_note=None,
        corrections=[],
        people=[],
        tags=[],
        social=SocialCard(headline=content.headline, description=content.dek, image=None),
    )
    summary = ArticleSummary(**common, authors=[], lead_image=None)
    return (
        document.__pydantic_serializer__.to_json(document),
        summary.__pydantic_serializer__.to_json(summary),
    )


def _insert_articles(db: sqlite3.Connection, articles: Sequence[_Article]) -> None:
    article_rows, revision_rows, published_rows = [], [], []
    for a in articles:
        at = sqlite_time(a.published_at)
        content = _content(a)
        document, summary = _rendered(a, content)
        article_rows.append(
            (a.id, at, AUTHOR, at, AUTHOR, a.slug, a.type.value, content.headline, content.dek)
        )
        revision_rows.append((a.id, a.id, json.dumps(content.model_dump(mode="json")), at))
        published_rows.append(
            (a.id, a.slug, a.type.value, at, document, summary, etag_for(document), at)
        )
    db.executemany(
        "INSERT INTO articles (id, version, created_at, created_by, modified_at, modified_by,"
        " slug, type, kicker, headline, dek, language, body, author_note, lead_image_id,"
        " lead_image_caption, updated_at, status, published_at, published_by,"
        " published_revision)"
        " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, 'en', '[]', NULL, NULL, NULL,"
        " NULL, 'published', ?2, ?3, 1)",
        article_rows,
    )
    db.executemany(
        "INSERT INTO article_revisions (id, article_id, number, action, content,"
        " changed_fields, created_at, created_by)"
        f" VALUES (?, ?, 1, 'published', ?, '[]', ?, '{AUTHOR}')",
        revision_rows,
    )
    db.executemany(
        "INSERT INTO published_articles (article_id, slug, type, published_at, document,"
        " summary, etag, surrogate_keys, rendered_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'article:' || ?1, ?8)",
        published_rows,
    )


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Integers in proportion to `weights` that sum to exactly `total`."""
    scale = total / math.fsum(weights)
    exact = [w * scale for w in weights]
    counts = [math.floor(x) for x in exact]
    short = total - sum(counts)
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[:short]:
        counts[i] += 1
    return counts


def _rhythm(hour_start: datetime) -> float:
    return 1.0 + 0.6 * math.cos(2 * math.pi * (hour_start.hour - 15) / 24)


def _view_rows(
    articles: Sequence[_Article], anchor: datetime, rng: random.Random
) -> Iterator[tuple[int, str, str, int]]:
    """(article id, 'hour', bucket start, views), hour by hour, summing to VIEWS."""
    hours = DAYS * 24
    current = floor_hour(anchor)
    starts = [current - timedelta(hours=hours - 1 - k) for k in range(hours)]
    partial = (anchor - current) / timedelta(hours=1)  # the current hour is under way
    weights = [_rhythm(s) * (partial if s == current else 1.0) for s in starts]
    per_hour = _largest_remainder(VIEWS, weights)

    ranks = list(range(1, len(articles) + 1))
    rng.shuffle(ranks)
    zipf = [rank**-ZIPF_EXPONENT for rank in ranks]
    archive = [a for a in articles if a.published_at < starts[0]]
    archive_ids = [a.id for a in archive]
    archive_cum = list(itertools.accumulate(zipf[a.id - 1] for a in archive))
    published = [a.published_at for a in articles]

    for start, total in zip(starts, per_hour, strict=True):
        end = start + timedelta(hours=1)
        low = bisect.bisect_left(published, end - timedelta(hours=FRESH_HOURS))
        fresh = articles[low : bisect.bisect_left(published, end)]
        fresh_views = round(total * FRESH_SHARE) if fresh else 0
        counts: Counter[int] = Counter()
        if fresh_views:
            fresh_weights = [
                zipf[a.id - 1] / (1.0 + (end - a.published_at) / timedelta(hours=12)) ** 2
                for a in fresh
            ]
            counts.update(rng.choices([a.id for a in fresh], weights=fresh_weights, k=fresh_views))
        counts.update(rng.choices(archive_ids, cum_weights=archive_cum, k=total - fresh_views))
        bucket = sqlite_time(start)
        for article_id, views in counts.items():
            yield article_id, HOUR, bucket, views


def _check_time_format(url: str, db: sqlite3.Connection, when: datetime) -> None:
    """Write one bucket through the app, read its raw text back, and compare with ours."""
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            add_views(session, {(1, floor_hour(when)): 1})
            session.commit()
    finally:
        engine.dispose()
    raw, kind = db.execute("SELECT bucket_start, typeof(bucket_start) FROM view_buckets").fetchone()
    ours = sqlite_time(floor_hour(when))
    if raw != ours or kind != "text":
        raise PopularDataError(f"the app stores bucket times as {raw!r} ({kind}), we as {ours!r}")
    db.execute("DELETE FROM view_buckets")
    db.commit()


def _counts(db: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    rows = db.execute(
        "SELECT granularity, count(*), sum(views) FROM view_buckets GROUP BY granularity"
    )
    return {granularity: (count, views) for granularity, count, views in rows}


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(path: Path, key: str, anchor: datetime) -> PopularDataset:
    building = path.with_suffix(".building")
    _remove(building)
    url = f"sqlite:///{building}"
    started = time.monotonic()
    upgrade(url)
    rng = random.Random(SEED)
    articles = _articles(anchor, rng)
    db = sqlite3.connect(building, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=WAL",
            "synchronous=OFF",
            "cache_size=-262144",
            "temp_store=MEMORY",
        ):
            db.execute(f"PRAGMA {pragma}")
        print(f"  inserting {ARTICLES:,} published articles...", flush=True)
        db.execute("BEGIN")
        _insert_articles(db, articles)
        db.execute("COMMIT")
        _check_time_format(url, db, anchor)
        print(f"  generating {VIEWS:,} views into hourly buckets...", flush=True)
        rows = sorted(_view_rows(articles, anchor, rng))
        total = sum(row[3] for row in rows)
        if total != VIEWS:
            raise PopularDataError(f"generated {total:,} views, not {VIEWS:,}")
        print(f"  inserting {len(rows):,} hourly bucket rows...", flush=True)
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO view_buckets (article_id, granularity, bucket_start, views)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )
        db.execute("COMMIT")
        del rows
        before = _counts(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    load_s = time.monotonic() - started
    print(f"  loaded in {load_s:.1f} s", flush=True)

    print(f"  compact_views(after_days={COMPACT_AFTER_DAYS}) through the app...", flush=True)
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            compact_started = time.monotonic()
            folded = compact_views(
                session, now=anchor, after_days=COMPACT_AFTER_DAYS, retention=RETENTION, dedup=DEDUP
            )
            session.commit()
            compact_s = time.monotonic() - compact_started
    finally:
        engine.dispose()
    print(f"  compacted in {compact_s:.1f} s: {folded:,} hourly buckets folded", flush=True)

    db = sqlite3.connect(building, isolation_level=None)
    try:
        after = _counts(db)
        day_start = db.execute(
            "SELECT bucket_start FROM view_buckets WHERE granularity = 'day' LIMIT 1"
        ).fetchall()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    views_after = sum(views for _, views in after.values())
    if views_after != VIEWS:
        raise PopularDataError(f"{views_after:,} views after compaction, not {VIEWS:,}")
    if not day_start or not SQLITE_DATETIME_RE.match(day_start[0][0]):
        raise PopularDataError(f"compacted buckets start at {day_start!r}, an unexpected format")
    _remove(path)
    building.rename(path)
    dataset = PopularDataset(
        path=path,
        database_url=f"sqlite:///{path}",
        key=key,
        anchor=anchor,
        articles=ARTICLES,
        views=VIEWS,
        hourly_rows_before=before.get(HOUR, (0, 0))[0],
        hourly_rows_after=after.get(HOUR, (0, 0))[0],
        daily_rows_after=after.get("day", (0, 0))[0],
        folded=folded,
        compact_s=compact_s,
        load_s=load_s,
        built_at=datetime.now(UTC),
        reused=False,
    )
    path.with_suffix(".json").write_text(json.dumps(dataset.metadata(), indent=2) + "\n")
    return dataset


def _cached(path: Path, key: str) -> PopularDataset | None:
    meta = path.with_suffix(".json")
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text())
        if data["key"] != key:
            return None
        return PopularDataset(
            **{
                **data,
                "path": path,
                "database_url": f"sqlite:///{path}",
                "anchor": datetime.fromisoformat(data["anchor"]),
                "built_at": datetime.fromisoformat(data["built_at"]),
                "reused": True,
            }
        )
    except (ValueError, KeyError, TypeError):
        return None


def prepare(out_dir: Path, *, rebuild: bool = False) -> PopularDataset:
    """The cached dataset for this version, built first when missing (or when asked)."""
    key = dataset_key()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{key}.sqlite3"
    cached = None if rebuild else _cached(path, key)
    if cached is not None:
        return cached
    anchor = floor_hour(datetime.now(UTC) - timedelta(hours=1)) + timedelta(minutes=30)
    print(f"building the /v1/popular dataset {path.name} (cached for reruns)...", flush=True)
    return build(path, key, anchor)
