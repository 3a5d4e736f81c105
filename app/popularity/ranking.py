"""Most-read articles over a window, summed from the view buckets.

Summing a month of buckets for a large site takes far longer than a request
should, so each process keeps the ranking of each (window, type, tag) for a few
seconds and refreshes it in the background while the previous one is served.
Which articles are shown is decided at serve time, so an article withdrawn a
moment ago never appears, whatever the cached ranking says.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from app.documents.queries import PA, has_ref, visible
from app.documents.refs import RefKind
from app.models import ViewBucket
from app.popularity.windows import Window, window_start

MAX_LIMIT = 50
# Ranked beyond the largest page, so articles withdrawn since can drop out.
HEADROOM = 25


@dataclass(frozen=True)
class RankingKey:
    window: Window
    type: str | None
    tag_id: int | None


Ranking = list[tuple[int, int]]  # (article id, views), best first


def compute_ranking(session: Session, key: RankingKey, now: datetime) -> Ranking:
    views = func.sum(ViewBucket.views).label("views")
    totals = (
        select(col(ViewBucket.article_id).label("article_id"), views)
        .where(
            col(ViewBucket.bucket_start) >= window_start(key.window, now),
            col(ViewBucket.bucket_start) <= now,
        )
        .group_by(col(ViewBucket.article_id))
        .subquery()
    )
    statement = (
        select(col(PA.article_id), totals.c.views)
        .join(totals, totals.c.article_id == col(PA.article_id))
        .where(visible(now))
    )
    if key.type is not None:
        statement = statement.where(col(PA.type) == key.type)
    if key.tag_id is not None:
        statement = statement.where(has_ref(RefKind.tag, key.tag_id, now))
    statement = statement.order_by(
        totals.c.views.desc(), col(PA.published_at).desc(), col(PA.article_id).desc()
    ).limit(MAX_LIMIT + HEADROOM)
    return [(int(a), int(v)) for a, v in session.execute(statement)]


class RankingCache:
    """Rankings per process for `ttl` seconds; a stale one is served while a thread
    recomputes it, so only the very first request for a key waits for the sum."""

    def __init__(self, engine: Engine, ttl_seconds: float) -> None:
        self.engine = engine
        self.ttl = ttl_seconds
        self._entries: dict[RankingKey, tuple[float, Ranking]] = {}
        self._refreshing: set[RankingKey] = set()
        self._lock = threading.Lock()

    def _refresh(self, key: RankingKey, now: datetime) -> Ranking:
        try:
            with Session(self.engine) as session:
                ranking = compute_ranking(session, key, now)
            self._entries[key] = (time.monotonic(), ranking)
            return ranking
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def get(self, key: RankingKey, now: datetime) -> Ranking:
        entry = self._entries.get(key)
        if entry is None or self.ttl == 0:
            return self._refresh(key, now)
        computed_at, ranking = entry
        if time.monotonic() - computed_at >= self.ttl:
            with self._lock:
                start = key not in self._refreshing
                self._refreshing.add(key)
            if start:
                threading.Thread(target=self._refresh, args=(key, now), daemon=True).start()
        return ranking


@dataclass(frozen=True)
class PageKey:
    window: Window
    type: str | None
    tag: str | None
    limit: int


@dataclass(frozen=True)
class PopularPageBytes:
    body: bytes
    etag: str
    # The version of each article the page shows: a page is only served while they hold.
    article_etags: dict[int, str]


class PageCache:
    """Finished /v1/popular pages for `ttl` seconds, so a served page costs one lookup.

    Keys come from query strings, so the cache is bounded: expired pages are
    dropped as new ones arrive, and beyond `max_pages` the oldest go first.
    """

    def __init__(self, ttl_seconds: float, max_pages: int = 1024) -> None:
        self.ttl = ttl_seconds
        self.max_pages = max_pages
        self._pages: dict[PageKey, tuple[float, PopularPageBytes]] = {}

    def get(self, key: PageKey) -> PopularPageBytes | None:
        entry = self._pages.get(key)
        if entry is None or time.monotonic() - entry[0] >= self.ttl:
            return None
        return entry[1]

    def put(self, key: PageKey, page: PopularPageBytes) -> None:
        now = time.monotonic()
        if len(self._pages) >= self.max_pages:
            fresh = {k: v for k, v in self._pages.items() if now - v[0] < self.ttl}
            oldest_first = sorted(fresh.items(), key=lambda item: item[1][0])
            self._pages = dict(oldest_first[-(self.max_pages // 2) :])
        self._pages[key] = (now, page)
