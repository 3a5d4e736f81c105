"""Most-read articles over a window, summed from the view buckets.

Summing a month of buckets for a large site takes far longer than a request
should, so each process keeps the ranking of each (window, type, tag) for a few
seconds and refreshes it in the background while it is still fresh enough to
serve. Which articles are shown is decided at serve time, so an article
withdrawn a moment ago never appears, whatever the cached ranking says.

Freshness is measured from when a ranking's sum began, for pages built from it
too: nothing served is older than the cache lifetime the README promises.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

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


class KeptRanking(NamedTuple):
    # time.monotonic() when the sum began: views counted before then are in it.
    computed_at: float
    ranking: Ranking


class RankingCache:
    """Rankings per process, never served more than `ttl` seconds old.

    Past half its lifetime a ranking is recomputed by a thread while it is still
    served, so under steady traffic no request waits for the sum. A ranking past its
    lifetime (a worker idle for a while) is recomputed before the answer: serving it
    would show counts older than promised.
    """

    def __init__(self, engine: Engine, ttl_seconds: float) -> None:
        self.engine = engine
        self.ttl = ttl_seconds
        self._entries: dict[RankingKey, KeptRanking] = {}
        self._refreshing: set[RankingKey] = set()
        self._lock = threading.Lock()

    def _refresh(self, key: RankingKey, now: datetime) -> KeptRanking:
        started = time.monotonic()
        with Session(self.engine) as session:
            kept = KeptRanking(started, compute_ranking(session, key, now))
        with self._lock:
            # A slow background sum must not replace one that began after it.
            current = self._entries.get(key)
            if current is None or current.computed_at < started:
                self._entries[key] = kept
        return kept

    def _refresh_in_background(self, key: RankingKey, now: datetime) -> None:
        try:
            self._refresh(key, now)
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def get(self, key: RankingKey, now: datetime) -> KeptRanking:
        kept = self._entries.get(key)
        if kept is None:
            return self._refresh(key, now)
        age = time.monotonic() - kept.computed_at
        if age >= self.ttl:
            return self._refresh(key, now)
        if age >= self.ttl / 2:
            with self._lock:
                start = key not in self._refreshing
                self._refreshing.add(key)
            if start:
                threading.Thread(
                    target=self._refresh_in_background, args=(key, now), daemon=True
                ).start()
        return kept


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
    # When the sum of the ranking it shows began (time.monotonic()).
    ranked_at: float


class PageCache:
    """Finished /v1/popular pages, so a served page costs one lookup.

    A page lives as long as the ranking it shows, counted from that ranking's sum,
    not from when the page was built: a page built late in a ranking's life would
    otherwise double the delay before a view shows.

    Keys come from query strings, so the cache is bounded: expired pages are
    dropped as new ones arrive, and beyond `max_pages` the oldest go first.
    """

    def __init__(self, ttl_seconds: float, max_pages: int = 1024) -> None:
        self.ttl = ttl_seconds
        self.max_pages = max_pages
        self._pages: dict[PageKey, PopularPageBytes] = {}

    def _fresh(self, page: PopularPageBytes, now: float) -> bool:
        return now - page.ranked_at < self.ttl

    def get(self, key: PageKey) -> PopularPageBytes | None:
        page = self._pages.get(key)
        if page is None or not self._fresh(page, time.monotonic()):
            return None
        return page

    def put(self, key: PageKey, page: PopularPageBytes) -> None:
        now = time.monotonic()
        if len(self._pages) >= self.max_pages:
            fresh = [(k, p) for k, p in self._pages.items() if self._fresh(p, now)]
            oldest_first = sorted(fresh, key=lambda item: item[1].ranked_at)
            self._pages = dict(oldest_first[-(self.max_pages // 2) :])
        self._pages[key] = page
