"""The Redis view store: increments buffered in Redis, moved to the database by flush().

Uses a Redis database of its own (see the sync_redis fixture) and touches only the
store's byline:views:* keys.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.popularity.stores import FLUSHING, PENDING, SEEN, RedisViewStore, visitor_hash
from tests import factories
from tests.conftest import own_app_client
from tests.popularity.support import (
    REDIS_URL,
    all_buckets,
    beacon,
    floor_to_hour,
    ident,
    stored_views,
    views_of,
    visitor,
)

DEDUP = timedelta(minutes=30)
T = TypeVar("T")


def with_store(
    engine: Engine,
    work: Callable[[RedisViewStore], Awaitable[T]],
    *,
    dedup: timedelta = DEDUP,
) -> T:
    """Run `work` with a fresh store on an event loop of its own, then close the store."""

    async def run() -> T:
        store = RedisViewStore(engine, REDIS_URL, dedup, flush_seconds=60)
        try:
            return await work(store)
        finally:
            await store.redis.aclose()

    return asyncio.run(run())


def test_recorded_views_reach_the_database_on_flush(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    first = factories.article(session)
    second = factories.article(session)
    now = datetime.now(UTC)
    views = [(ident(first), now)] * 5
    views += [(ident(first), now - timedelta(hours=2, minutes=1))] * 3
    views += [(ident(second), now - timedelta(minutes=1))] * 2
    expected = Counter((a, floor_to_hour(at)) for a, at in views)

    async def work(store: RedisViewStore) -> int:
        for article_id, at in views:
            assert await store.record(article_id, None, at) is True
        # Nothing reaches the database before a flush ...
        assert all_buckets(session) == {}
        assert sync_redis.exists(PENDING)
        moved = await store.flush()
        # ... and a second flush has nothing left to move.
        assert await store.flush() == 0
        return moved

    assert with_store(engine, work) == len(views)
    assert all_buckets(session) == {(a, "hour", start): n for (a, start), n in expected.items()}
    assert list(sync_redis.scan_iter(match=f"{PENDING}*")) == []
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_flushes_add_to_what_the_database_holds(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)
    now = datetime.now(UTC)

    async def work(store: RedisViewStore) -> None:
        for batch in (4, 7, 1):
            for _ in range(batch):
                await store.record(ident(article), None, now)
            assert await store.flush() == batch

    with_store(engine, work)
    assert stored_views(session, article.id) == 12


def test_repeat_visitors_are_set_nx_with_the_dedup_ttl(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    first = factories.article(session)
    second = factories.article(session)
    now = datetime.now(UTC)
    reader_a, reader_b = visitor_hash("reader-a"), visitor_hash("reader-b")

    async def work(store: RedisViewStore) -> list[bool]:
        outcomes = [
            await store.record(ident(first), reader_a, now),
            await store.record(ident(first), reader_a, now),
            await store.record(ident(first), reader_b, now),
            await store.record(ident(second), reader_a, now),
            await store.record(ident(first), None, now),
            await store.record(ident(first), reader_a, now + timedelta(minutes=10)),
        ]
        await store.flush()
        return outcomes

    assert with_store(engine, work) == [True, False, True, True, True, False]
    assert stored_views(session, first.id) == 3
    assert stored_views(session, second.id) == 1
    key = f"{SEEN}{first.id}:{reader_a}"
    assert sync_redis.exists(key)
    ttl = sync_redis.ttl(key)
    assert DEDUP.total_seconds() - 60 <= ttl <= DEDUP.total_seconds()


def test_a_visitor_counts_again_once_the_key_expires(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)
    reader = visitor_hash("reader-a")

    async def work(store: RedisViewStore) -> list[bool]:
        first = await store.record(ident(article), reader, datetime.now(UTC))
        again = await store.record(ident(article), reader, datetime.now(UTC))
        await asyncio.sleep(1.2)
        later = await store.record(ident(article), reader, datetime.now(UTC))
        await store.flush()
        return [first, again, later]

    assert with_store(engine, work, dedup=timedelta(seconds=1)) == [True, False, True]
    assert stored_views(session, article.id) == 2


def test_abandoned_flushing_batches_are_picked_up(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)
    hour = floor_to_hour(datetime.now(UTC))
    earlier = hour - timedelta(hours=3)
    # A flush that died two minutes ago, holding its batch; one still running.
    dead = f"{FLUSHING}{int(time.time()) - 120}:deadbeef"
    live = f"{FLUSHING}{int(time.time()) - 5}:cafebabe"
    sync_redis.hset(
        dead,
        mapping={
            f"{article.id}:{int(hour.timestamp())}": 4,
            f"{article.id}:{int(earlier.timestamp())}": 6,
        },
    )
    sync_redis.hset(live, mapping={f"{article.id}:{int(hour.timestamp())}": 1000})

    async def work(store: RedisViewStore) -> int:
        await store.record(ident(article), None, hour + timedelta(minutes=5))
        return await store.flush()

    assert with_store(engine, work) == 11
    assert all_buckets(session) == {
        (ident(article), "hour", hour): 5,
        (ident(article), "hour", earlier): 6,
    }
    assert not sync_redis.exists(dead)
    # The running flush keeps its batch: taking it over would count it twice.
    assert sync_redis.hgetall(live) == {f"{article.id}:{int(hour.timestamp())}": "1000"}


def test_a_deleted_article_does_not_hold_up_other_views(
    app: FastAPI,
    engine: Engine,
    session: Session,
    client: TestClient,
    sync_redis: redis.Redis,
) -> None:
    """Views buffered for an article deleted before the flush must not sink the whole batch."""
    kept = factories.article(session)
    gone = factories.draft(session)
    secret = factories.make_token(session, "content:write")
    now = datetime.now(UTC)

    async def record(store: RedisViewStore) -> None:
        for _ in range(3):
            await store.record(ident(kept), None, now)
        await store.record(ident(gone), None, now)

    with_store(engine, record)
    headers = {"Authorization": f"Bearer {secret}"}
    etag = client.get(f"/v1/manage/articles/{gone.id}", headers=headers).headers["etag"]
    deleted = client.delete(f"/v1/manage/articles/{gone.id}", headers={**headers, "If-Match": etag})
    assert deleted.status_code == 204, deleted.text

    async def flush(store: RedisViewStore) -> None:
        await store.flush()

    failure = None
    try:
        with_store(engine, flush)
    except Exception as exc:  # reported below, with what it cost
        failure = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    assert stored_views(session, kept.id) == 3, (
        f"the kept article's views were not flushed: {failure}"
    )
    # Nothing is left behind to fail again on every later flush.
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_the_app_counts_beacons_through_redis(
    database_url: str, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)
    settings = Settings(
        database_url=database_url,
        log_level="warning",
        view_store="redis",
        redis_url=REDIS_URL,
        view_flush_seconds=60,
        views_per_minute_per_client=0,
        popular_cache_seconds=0,
    )
    with own_app_client(settings) as client:
        for _ in range(6):
            assert beacon(client, article.slug).status_code == 202
        for name in ("a", "a", "b", "a"):
            assert visitor(client, article.slug, f"reader-{name}").status_code == 202
        assert beacon(client, article.slug, user_agent="Googlebot/2.1").status_code == 202
        assert beacon(client, "no-such-article").status_code == 404
        # Buffered, not yet in the database (the flush interval is a minute).
        assert stored_views(session, article.id) == 0
        assert views_of(client, article.id) == 0
        assert sum(int(v) for v in sync_redis.hgetall(PENDING).values()) == 8
    # Shutting down flushes what is buffered.
    assert stored_views(session, article.id) == 8
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []
    assert not sync_redis.exists(PENDING)


def test_the_flusher_runs_on_its_interval(
    database_url: str, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)
    settings = Settings(
        database_url=database_url,
        log_level="warning",
        view_store="redis",
        redis_url=REDIS_URL,
        view_flush_seconds=0.2,
        views_per_minute_per_client=0,
    )
    with own_app_client(settings) as client:
        for _ in range(5):
            assert beacon(client, article.slug).status_code == 202
        deadline = time.monotonic() + 10
        while stored_views(session, article.id) < 5:
            assert time.monotonic() < deadline, "the flusher never flushed"
            time.sleep(0.05)
        assert stored_views(session, article.id) == 5
