"""GET /v1/popular against a reference computed here from the raw view events.

The reference follows the documented rule and nothing else: a window of length L
starts at the start of the hour holding now - L (of the day, for 30d); a view at
time t counts when start <= t <= now. Views are imported through the batch
endpoint, so they are exactly the events the test holds.
"""

import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.articles.publishing import withdraw
from app.container import Services
from app.models import Article
from app.models.enums import ArticleStatus
from app.popularity.counts import add_views
from app.popularity.ranking import RankingCache
from app.popularity.service import compact_views
from tests import factories
from tests.conftest import Clock, own_app_client
from tests.helpers import problem
from tests.popularity.support import (
    WINDOWS,
    all_buckets,
    beacon,
    floor_to_day,
    floor_to_hour,
    ident,
    iso,
    popular_page,
    ranking,
    reference_window_start,
)

TINY = timedelta(microseconds=1)
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Event:
    article_id: int
    at: datetime
    count: int


@dataclass(frozen=True)
class Listed:
    """What the reference needs to know of an article to rank and filter it."""

    id: int
    slug: str
    type: str
    published_at: datetime
    tags: frozenset[str]


def reference(
    events: list[Event],
    articles: list[Listed],
    window: str,
    now: datetime,
    *,
    type: str | None = None,
    tag: str | None = None,
) -> list[tuple[int, int]]:
    start = reference_window_start(window, now)
    totals: Counter[int] = Counter()
    for event in events:
        if start <= event.at <= now:
            totals[event.article_id] += event.count
    chosen = [
        a
        for a in articles
        if totals[a.id] > 0
        and a.published_at <= now
        and (type is None or a.type == type)
        and (tag is None or tag in a.tags)
    ]
    chosen.sort(key=lambda a: (totals[a.id], a.published_at, a.id), reverse=True)
    return [(a.id, totals[a.id]) for a in chosen]


def import_events(
    client: TestClient, secret: str, slugs: dict[int, str], events: list[Event]
) -> None:
    for first in range(0, len(events), 10_000):
        rows = [
            {"slug": slugs[e.article_id], "viewed_at": iso(e.at), "count": e.count}
            for e in events[first : first + 10_000]
        ]
        response = client.post(
            "/v1/views:batch", json={"rows": rows}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.text


def listed(article: Article, tags: set[str] | None = None) -> Listed:
    assert article.id is not None
    assert article.published_at is not None
    return Listed(
        id=article.id,
        slug=article.slug,
        type=article.type.value,
        published_at=article.published_at,
        tags=frozenset(tags or ()),
    )


def edges(now: datetime) -> list[datetime]:
    """Instants at and around every boundary a window or a bucket has."""
    instants = [now, now - TINY, floor_to_hour(now), floor_to_hour(now) - TINY]
    for window in WINDOWS:
        start = reference_window_start(window, now)
        instants += [start, start - TINY, start + TINY, start + timedelta(minutes=59)]
    day = floor_to_day(now - timedelta(days=30))
    instants += [day + timedelta(hours=1) - TINY, day - timedelta(hours=1)]
    return [t for t in instants if t <= now]


@dataclass
class Newsroom:
    now: datetime
    articles: list[Listed]
    events: list[Event]
    tags: list[str]
    secret: str


def build_newsroom(
    client: TestClient, session: Session, now: datetime, seed: int, *, days: int = 35
) -> Newsroom:
    rng = random.Random(seed)
    tags = [factories.tag(session), factories.tag(session)]
    articles: list[Listed] = []
    base = now - timedelta(days=60)
    for i in range(9):
        chosen = {t.slug for t in tags if rng.random() < 0.5}
        row = factories.article(
            session,
            type=["news", "opinion", "analysis"][i % 3],
            published_at=base + timedelta(minutes=rng.randrange(10_000)),
            tag_ids=[t.id for t in tags if t.slug in chosen],
        )
        articles.append(listed(row, chosen))
    # Three articles that will tie in every window: two published at the same instant
    # (the higher id wins), one earlier (it comes last).
    same = base + timedelta(days=3)
    tied = [
        listed(factories.article(session, published_at=same)),
        listed(factories.article(session, published_at=same - timedelta(seconds=1))),
        listed(factories.article(session, published_at=same)),
    ]
    articles += tied

    events: list[Event] = []
    for at in edges(now):
        # Every edge instant for several articles, with counts that make each one matter.
        for article in rng.sample(articles[:9], 3):
            events.append(Event(article.id, at, rng.randint(1, 40)))
    for _ in range(600):
        at = now - timedelta(microseconds=rng.randrange(days * 86_400 * 1_000_000))
        events.append(Event(rng.choice(articles[:9]).id, at, rng.randint(1, 40)))
    for at, count in [(now - timedelta(hours=h, minutes=7), h + 1) for h in range(0, 800, 9)]:
        events += [Event(article.id, at, count) for article in tied]
    for at in edges(now):
        events += [Event(article.id, at, 3) for article in tied]
    rng.shuffle(events)

    secret = factories.make_token(session, "analytics:write")
    import_events(client, secret, {a.id: a.slug for a in articles}, events)
    return Newsroom(now, articles, events, [t.slug for t in tags], secret)


def assert_matches_reference(client: TestClient, room: Newsroom) -> None:
    for window in WINDOWS:
        body = popular_page(client, window=window, limit=50)
        assert body["window"] == window
        since = datetime.fromisoformat(body["since"].replace("Z", "+00:00"))
        assert since == reference_window_start(window, room.now)
        got = [(item["id"], item["views"]) for item in body["items"]]
        assert got == reference(room.events, room.articles, window, room.now), window
        by_id = {a.id: a for a in room.articles}
        for item in body["items"]:
            article = by_id[item["id"]]
            assert item["slug"] == article.slug
            assert item["type"] == article.type
        for type in ("news", "opinion", "analysis"):
            expected = reference(room.events, room.articles, window, room.now, type=type)
            assert ranking(client, window=window, limit=50, type=type) == expected
        for tag in room.tags:
            expected = reference(room.events, room.articles, window, room.now, tag=tag)
            assert ranking(client, window=window, limit=50, tag=tag) == expected


def _today() -> datetime:
    return floor_to_day(datetime.now(UTC))


# Pinned instants a couple of days back, each at a different kind of boundary.
NOWS = {
    "mid-hour": timedelta(days=-2, hours=13, minutes=23, seconds=17.5),
    "on-the-hour": timedelta(days=-2, hours=13),
    "midnight": timedelta(days=-2),
    "last-microsecond-of-a-day": timedelta(days=-1) - TINY,
}


def pinned(moment: str) -> datetime:
    return _today() + NOWS[moment]


@pytest.mark.parametrize("moment", list(NOWS))
def test_every_window_matches_the_reference(
    client: TestClient, session: Session, clock: Clock, moment: str
) -> None:
    now = pinned(moment)
    clock.pinned = now
    room = build_newsroom(client, session, now, seed=len(moment))
    # The edges are where a wrong rule shows: make sure the data has some on each side.
    for window in WINDOWS:
        start = reference_window_start(window, now)
        assert any(e.at == start for e in room.events)
        assert any(e.at == start - TINY for e in room.events)
    assert_matches_reference(client, room)
    # The tied articles: equal views in every window, ordered by publish time then id.
    tied = room.articles[9:]
    for window in WINDOWS:
        order = [
            a for a, _ in ranking(client, window=window, limit=50) if a in {t.id for t in tied}
        ]
        assert order == [tied[2].id, tied[0].id, tied[1].id], window


def test_a_view_counts_from_its_instant_until_it_leaves_the_window(
    client: TestClient, session: Session, clock: Clock
) -> None:
    """One view, and the clock walking past it: in each window exactly as long as the rule says."""
    article = factories.article(session, published_at=factories.hours_ago(24 * 40))
    secret = factories.make_token(session, "analytics:write")
    seen = _today() - timedelta(days=36) + timedelta(hours=10, minutes=30)
    clock.pinned = seen
    import_events(client, secret, {ident(article): article.slug}, [Event(ident(article), seen, 1)])
    # From the moment of the view on (before it, the view had not happened).
    probes = [seen, seen + TINY]
    for length in (timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=30)):
        # A window's length after the view, the hour after that, the day after that.
        for moment in (
            seen + length,
            floor_to_hour(seen) + timedelta(hours=1) + length,
            floor_to_day(seen) + timedelta(days=1) + length,
        ):
            probes += [moment - TINY, moment, moment + TINY]
    for now in sorted(set(probes)):
        clock.pinned = now
        for window in WINDOWS:
            start = reference_window_start(window, now)
            expected = [(article.id, 1)] if start <= seen <= now else []
            assert ranking(client, window=window) == expected, (window, now - seen)


def test_default_window_and_limits(client: TestClient, session: Session) -> None:
    articles = [factories.article(session) for _ in range(55)]
    secret = factories.make_token(session, "analytics:write")
    now = datetime.now(UTC)
    events = [Event(ident(a), now - timedelta(minutes=5), i + 1) for i, a in enumerate(articles)]
    import_events(client, secret, {ident(a): a.slug for a in articles}, events)
    best_first = [(a.id, i + 1) for i, a in reversed(list(enumerate(articles)))]

    body = popular_page(client)
    assert body["window"] == "24h"
    assert [(item["id"], item["views"]) for item in body["items"]] == best_first[:10]
    assert ranking(client, limit=1) == best_first[:1]
    assert ranking(client, limit=37) == best_first[:37]
    assert ranking(client, limit=50) == best_first[:50]
    for bad in ("51", "0", "-1", "ten"):
        problem(client.get("/v1/popular", params={"limit": bad}), 422)
    for bad in ("2h", "1d", "", "30D"):
        problem(client.get("/v1/popular", params={"window": bad}), 422)
    problem(client.get("/v1/popular", params={"type": "gossip"}), 422)
    # An unknown tag filters everything out, as on /v1/articles.
    assert ranking(client, tag="no-such-tag") == []
    problem(client.get("/v1/popular", params={"tag": "Not A Slug"}), 422)
    problem(client.get("/v1/popular", params={"sort": "views"}), 400)


def test_nothing_viewed_is_an_empty_list(client: TestClient, session: Session) -> None:
    factories.article(session)
    for window in WINDOWS:
        assert ranking(client, window=window) == []


def test_unpublished_articles_never_rank(
    client: TestClient, session: Session, clock: Clock
) -> None:
    now = datetime.now(UTC)
    clock.pinned = now
    shown = factories.article(session)
    withdrawn = factories.article(session)
    archived = factories.article(session)
    draft = factories.draft(session)
    planned = factories.draft(session, published_at=factories.hours_ago(5))
    scheduled = factories.scheduled(session, hours=3)
    secret = factories.make_token(session, "analytics:write")
    import_events(
        client,
        secret,
        {ident(a): a.slug for a in (shown, withdrawn, archived)},
        [
            Event(ident(shown), now - timedelta(minutes=1), 1),
            Event(ident(withdrawn), now - timedelta(minutes=1), 500),
            Event(ident(archived), now - timedelta(minutes=1), 400),
        ],
    )
    assert ranking(client) == [(withdrawn.id, 500), (archived.id, 400), (shown.id, 1)]
    withdraw(session, withdrawn, status=ArticleStatus.draft, actor="test")
    withdraw(session, archived, status=ArticleStatus.archived, actor="test")
    session.commit()
    # Views can reach any article's buckets (a beacon just before it was withdrawn, an import
    # racing the withdrawal); the list still shows only what readers may see.
    add_views(session, {(ident(a), floor_to_hour(now)): 1000 for a in (draft, planned, scheduled)})
    session.commit()
    for window in WINDOWS:
        assert ranking(client, window=window, limit=50) == [(shown.id, 1)]
    # Once the scheduled article's time comes it ranks, with the views it had.
    clock.pinned = now + timedelta(hours=3, minutes=1)
    assert ranking(client) == [(scheduled.id, 1000), (shown.id, 1)]


def test_beacons_and_imports_add_up(client: TestClient, session: Session) -> None:
    first = factories.article(session)
    second = factories.article(session)
    secret = factories.make_token(session, "analytics:write")
    now = datetime.now(UTC)
    import_events(client, secret, {ident(first): first.slug}, [Event(ident(first), now, 5)])
    for _ in range(7):
        assert beacon(client, second.slug).status_code == 202
    assert beacon(client, first.slug).status_code == 202
    assert ranking(client, window="1h") == [(second.id, 7), (first.id, 6)]


def hourly_and_daily(session: Session) -> tuple[dict[tuple[int, datetime], int], ...]:
    rows = all_buckets(session)
    hourly = {(a, start): n for (a, kind, start), n in rows.items() if kind == "hour"}
    daily = {(a, start): n for (a, kind, start), n in rows.items() if kind == "day"}
    assert len(hourly) + len(daily) == len(rows), "every bucket is hourly or daily"
    return hourly, daily


def expected_buckets(
    events: list[Event], cutoff: datetime
) -> tuple[dict[tuple[int, datetime], int], dict[tuple[int, datetime], int]]:
    hourly: Counter[tuple[int, datetime]] = Counter()
    daily: Counter[tuple[int, datetime]] = Counter()
    for e in events:
        if floor_to_hour(e.at) < cutoff:
            daily[(e.article_id, floor_to_day(e.at))] += e.count
        else:
            hourly[(e.article_id, floor_to_hour(e.at))] += e.count
    return dict(hourly), dict(daily)


def every_ranking(client: TestClient, room: Newsroom) -> dict[str, list[tuple[int, int]]]:
    result = {w: ranking(client, window=w, limit=50) for w in WINDOWS}
    for tag in room.tags:
        result[f"30d {tag}"] = ranking(client, window="30d", limit=50, tag=tag)
    return result


@pytest.mark.parametrize("moment", ["mid-hour", "midnight"])
def test_compaction_keeps_every_ranking(
    client: TestClient, session: Session, clock: Clock, moment: str
) -> None:
    now = pinned(moment)
    clock.pinned = now
    room = build_newsroom(client, session, now, seed=7, days=45)
    cutoff = floor_to_day(now - timedelta(days=14))
    # Events on both sides of the cutoff, to the microsecond.
    extra = [Event(room.articles[0].id, cutoff - TINY, 11), Event(room.articles[1].id, cutoff, 13)]
    import_events(client, room.secret, {a.id: a.slug for a in room.articles}, extra)
    room.events.extend(extra)
    assert any(e.at < cutoff for e in room.events)
    hourly, daily = hourly_and_daily(session)
    assert daily == {}
    assert hourly == expected_buckets(room.events, datetime.min.replace(tzinfo=UTC))[0]
    before = every_ranking(client, room)
    assert_matches_reference(client, room)

    folded = compact_views(
        session,
        now=now,
        after_days=14,
        retention=timedelta(days=90),
        dedup=timedelta(minutes=30),
    )
    session.commit()

    expected_hourly, expected_daily = expected_buckets(room.events, cutoff)
    assert folded == len(hourly) - len(expected_hourly)
    hourly, daily = hourly_and_daily(session)
    assert all(start < cutoff for _, start in daily)
    assert all(start >= cutoff for _, start in hourly)
    assert (hourly, daily) == (expected_hourly, expected_daily)
    assert every_ranking(client, room) == before
    assert_matches_reference(client, room)

    # Late imports into compacted days, and compacting again, keep the sums exact.
    late = [
        Event(a.id, now - timedelta(days=20, hours=i), i + 2) for i, a in enumerate(room.articles)
    ]
    import_events(client, room.secret, {a.id: a.slug for a in room.articles}, late)
    room.events.extend(late)
    assert_matches_reference(client, room)
    compact_views(
        session,
        now=now,
        after_days=14,
        retention=timedelta(days=90),
        dedup=timedelta(minutes=30),
    )
    session.commit()
    assert hourly_and_daily(session) == expected_buckets(room.events, cutoff)
    assert_matches_reference(client, room)


def test_compaction_drops_what_is_past_retention(
    client: TestClient, session: Session, clock: Clock
) -> None:
    now = pinned("mid-hour")
    clock.pinned = now
    article = factories.article(session, published_at=now - timedelta(days=200))
    assert article.id is not None
    kept_day = floor_to_day(now - timedelta(days=90))
    add_views(
        session,
        {
            (article.id, kept_day - timedelta(hours=1)): 5,  # the day before: past retention
            (article.id, kept_day): 7,
            (article.id, kept_day + timedelta(hours=23)): 9,
        },
    )
    session.commit()
    compact_views(
        session,
        now=now,
        after_days=14,
        retention=timedelta(days=90),
        dedup=timedelta(minutes=30),
    )
    session.commit()
    assert hourly_and_daily(session) == ({}, {(article.id, kept_day): 16})


def test_the_compact_views_command(client: TestClient, session: Session, database_url: str) -> None:
    article = factories.article(session, published_at=factories.hours_ago(24 * 40))
    assert article.id is not None
    today = _today()
    old = [today - timedelta(days=20, hours=-h) for h in (3, 4, 9)]
    recent = today - timedelta(days=5, hours=-12)
    add_views(session, {(article.id, t): 10 for t in old} | {(article.id, recent): 1})
    session.commit()
    before = ranking(client, window="30d")
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "compact-views"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "folded 3 hourly view counts" in result.stdout
    assert hourly_and_daily(session) == (
        {(article.id, recent): 1},
        {(article.id, today - timedelta(days=20)): 30},
    )
    assert ranking(client, window="30d") == before == [(article.id, 31)]


@pytest.fixture
def cached(engine: Engine, replace_services: Callable[..., Services]) -> Callable[[float], None]:
    """The shared app with rankings cached for a minute, for one test; call it for another ttl."""

    def cache_rankings(ttl_seconds: float) -> None:
        replace_services(rankings=RankingCache(engine, ttl_seconds=ttl_seconds))

    cache_rankings(60)
    return cache_rankings


def test_a_cached_ranking_is_served_within_its_ttl(
    client: TestClient, session: Session, cached: Callable[[float], None]
) -> None:
    first = factories.article(session)
    second = factories.article(session)
    third = factories.article(session)
    for article, n in ((first, 3), (second, 2), (third, 1)):
        for _ in range(n):
            assert beacon(client, article.slug).status_code == 202
    assert ranking(client) == [(first.id, 3), (second.id, 2), (third.id, 1)]
    for _ in range(5):
        assert beacon(client, third.slug).status_code == 202
    # Within the ttl the cached ranking answers: the new views are not visible yet ...
    assert ranking(client) == [(first.id, 3), (second.id, 2), (third.id, 1)]
    # ... other windows and filters are rankings of their own, computed now.
    assert ranking(client, window="1h") == [(third.id, 6), (first.id, 3), (second.id, 2)]
    # ... but a withdrawn article is gone at once, even from the cached ranking.
    withdraw(session, first, status=ArticleStatus.draft, actor="test")
    session.commit()
    assert ranking(client) == [(second.id, 2), (third.id, 1)]
    assert ranking(client, limit=1) == [(second.id, 2)]
    # The uncached answer agrees that the views were counted.
    cached(0)
    assert ranking(client) == [(third.id, 6), (second.id, 2)]


def test_a_stale_ranking_is_refreshed(
    client: TestClient, session: Session, cached: Callable[[float], None]
) -> None:
    cached(0.2)
    article = factories.article(session)
    assert beacon(client, article.slug).status_code == 202
    assert ranking(client) == [(article.id, 1)]
    assert beacon(client, article.slug).status_code == 202
    deadline = time.monotonic() + 10
    while ranking(client) != [(article.id, 2)]:
        assert time.monotonic() < deadline, "the stale ranking was never refreshed"
        time.sleep(0.05)


def test_popular_carries_an_etag_and_cache_control(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    assert beacon(client, article.slug).status_code == 202
    first = client.get("/v1/popular")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert "public" in first.headers["cache-control"]
    assert "max-age=" in first.headers["cache-control"]
    again = client.get("/v1/popular", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert beacon(client, article.slug).status_code == 202
    changed = client.get("/v1/popular", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_an_app_caching_popular_pages_still_hides_withdrawn_articles(
    database_url: str, session: Session
) -> None:
    """The whole app configured with popular_cache_seconds > 0, whatever it caches inside."""
    from app.config import Settings

    settings = Settings(
        database_url=database_url,
        log_level="warning",
        views_per_minute_per_client=0,
        popular_cache_seconds=60,
    )
    with own_app_client(settings) as client:
        first = factories.article(session)
        second = factories.article(session)
        for article, n in ((first, 3), (second, 1)):
            for _ in range(n):
                assert beacon(client, article.slug).status_code == 202
        expected = [(ident(first), 3), (ident(second), 1)]
        assert ranking(client) == expected
        page = client.get("/v1/popular")
        assert "max-age=60" in page.headers["cache-control"]
        # New views wait for the cache to expire ...
        for _ in range(5):
            assert beacon(client, second.slug).status_code == 202
        assert ranking(client) == expected
        # ... a withdrawn article does not.
        withdraw(session, first, status=ArticleStatus.draft, actor="test")
        session.commit()
        assert ranking(client) == [(ident(second), 1)]
        assert ranking(client, limit=5) == [(ident(second), 1)]
        response = client.get("/v1/popular", headers={"If-None-Match": page.headers["etag"]})
        assert response.status_code == 200, "a page without the withdrawn article is a new page"


def test_an_app_caching_popular_pages_shows_a_republished_headline_at_once(
    database_url: str, session: Session
) -> None:
    """DESIGN, stateless processes: an in-process cache never serves a stale version after
    a write elsewhere. The ranking's numbers may lag by the cache lifetime; an article's
    published content may not (it is what the article's own URL already serves)."""
    from app.articles.publishing import draft_content, publish
    from app.articles.writes import write_article
    from app.config import Settings

    settings = Settings(
        database_url=database_url,
        log_level="warning",
        views_per_minute_per_client=0,
        popular_cache_seconds=60,
    )
    with own_app_client(settings) as client:
        article = factories.article(session, headline="Before the correction")
        assert beacon(client, article.slug).status_code == 202
        before = popular_page(client)
        assert [item["headline"] for item in before["items"]] == ["Before the correction"]

        corrected = draft_content(session, article).model_copy(
            update={"headline": "After the correction"}
        )
        write_article(session, article, corrected, "test")
        publish(session, article, publish_at=None, now=datetime.now(UTC), actor="test")
        session.commit()
        document = client.get(f"/v1/articles/{article.slug}")
        assert document.json()["headline"] == "After the correction"

        after = client.get("/v1/popular")
        assert after.status_code == 200
        assert [item["headline"] for item in after.json()["items"]] == ["After the correction"]


def test_a_view_shows_within_the_cache_lifetime_whatever_was_cached_before(
    database_url: str, session: Session
) -> None:
    """README: a counted view reaches /v1/popular within POPULAR_CACHE_SECONDS.

    Two ways past it: an idle worker answering from the ranking it kept, and a page
    built late in a ranking's life kept for a lifetime of its own.
    """
    from app.config import Settings

    lifetime = 1.0
    settings = Settings(
        database_url=database_url,
        log_level="warning",
        views_per_minute_per_client=0,
        popular_cache_seconds=lifetime,
    )
    with own_app_client(settings) as client:
        article = factories.article(session)
        assert beacon(client, article.slug).status_code == 202
        assert ranking(client) == [(ident(article), 1)]
        ranked_by = time.monotonic()
        assert beacon(client, article.slug).status_code == 202
        # A page of its own, built from the ranking already kept.
        ranking(client, limit=5)

        time.sleep(ranked_by + lifetime + 0.05 - time.monotonic())

        assert ranking(client, limit=5) == [(ident(article), 2)]
        assert ranking(client) == [(ident(article), 2)]
