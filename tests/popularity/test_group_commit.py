"""Concurrent beacons share one write: counted exactly as if recorded one at a time.

The stores are driven directly: every record() gathered on one event loop is queued
before the first write starts, so a gather is one batch, and its repeats race.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlmodel import Session

from app.errors import ServiceUnavailable
from app.models import ViewBucket, ViewVisitor
from app.popularity.batching import BatchFailed
from app.popularity.stores import DatabaseViewStore, RedisViewStore, View, visitor_hash
from tests import factories
from tests.popularity.support import REDIS_URL, all_buckets, floor_to_hour, ident, stored_views

DEDUP = timedelta(minutes=30)
# Half past an hour, so views a few minutes apart fall in different buckets too.
BASE = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
T = TypeVar("T")


def sequential(views: list[View], dedup: timedelta) -> list[bool]:
    """The rule, one view at a time: a visitor's view counts unless one was counted
    less than `dedup` before it; views without a visitor always count."""
    counted_at: dict[tuple[int, str], datetime] = {}
    outcomes = []
    for view in views:
        key = None if view.visitor is None else (view.article_id, view.visitor)
        last = counted_at.get(key) if key is not None else None
        counts = last is None or view.at - last >= dedup
        if counts and key is not None:
            counted_at[key] = view.at
        outcomes.append(counts)
    return outcomes


def buckets_of(views: list[View], outcomes: list[bool]) -> dict[tuple[int, str, datetime], int]:
    counted = [view for view, counts in zip(views, outcomes, strict=True) if counts]
    return dict(Counter((v.article_id, "hour", floor_to_hour(v.at)) for v in counted))


def with_database_store(engine: Engine, work: Callable[[DatabaseViewStore], Awaitable[T]]) -> T:
    async def run() -> T:
        store = DatabaseViewStore(engine, DEDUP)
        try:
            return await work(store)
        finally:
            await store.stop()

    return asyncio.run(run())


async def record_all(store: DatabaseViewStore | RedisViewStore, views: list[View]) -> list[bool]:
    return list(await asyncio.gather(*(store.record(*view) for view in views)))


@st.composite
def view_lists(draw: st.DrawFn, article_ids: list[int]) -> list[View]:
    view = st.builds(
        View,
        article_id=st.sampled_from(article_ids),
        visitor=st.sampled_from([None, "reader-a", "reader-b", "reader-c"]),
        # Quarter hours, so views exactly one dedup window apart are common.
        at=st.integers(0, 10).map(lambda quarters: BASE + quarters * timedelta(minutes=15)),
    )
    return draw(st.lists(view, min_size=1, max_size=40))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_batch_counts_as_if_its_views_came_one_by_one(
    engine: Engine, session: Session, data: st.DataObject
) -> None:
    article_ids = [ident(factories.article(session)) for _ in range(2)]
    views = data.draw(view_lists(article_ids))
    # Two batches, so the second also meets visitors the database already holds.
    split = data.draw(st.integers(0, len(views)))
    with session.begin():
        session.execute(delete(ViewBucket))
        session.execute(delete(ViewVisitor))

    async def work(store: DatabaseViewStore) -> list[bool]:
        return await record_all(store, views[:split]) + await record_all(store, views[split:])

    outcomes = with_database_store(engine, work)

    assert outcomes == sequential(views, DEDUP)
    assert all_buckets(session) == buckets_of(views, outcomes)


def test_racing_repeats_of_many_visitors_count_once_each(engine: Engine, session: Session) -> None:
    article = factories.article(session)
    readers = [visitor_hash(f"reader-{n}") for n in range(50)]
    # Each reader's beacon five times over, interleaved, plus 100 without a visitor.
    views = [View(ident(article), reader, BASE) for _ in range(5) for reader in readers]
    views += [View(ident(article), None, BASE)] * 100

    outcomes = with_database_store(engine, lambda store: record_all(store, views))

    assert outcomes == [True] * 50 + [False] * 200 + [True] * 100
    assert stored_views(session, article.id) == 150


def test_a_failed_write_fails_its_whole_batch_and_changes_nothing(
    engine: Engine, session: Session
) -> None:
    article = factories.article(session)
    reader = visitor_hash("reader-a")
    before = [View(ident(article), None, BASE), View(ident(article), reader, BASE)]
    # A view of an article that does not exist breaks its transaction.
    doomed = [
        View(ident(article), None, BASE),
        View(ident(article) + 1000, None, BASE),
        View(ident(article), visitor_hash("reader-b"), BASE),
        View(ident(article), reader, BASE + DEDUP),
    ]

    async def work(store: DatabaseViewStore) -> list[BaseException | bool]:
        await record_all(store, before)
        failed = await asyncio.gather(
            *(store.record(*view) for view in doomed), return_exceptions=True
        )
        # Nothing of the failed batch was kept: both readers count now as they would have.
        after = [
            View(ident(article), visitor_hash("reader-b"), BASE),
            View(ident(article), reader, BASE + DEDUP),
        ]
        return failed + await record_all(store, after)

    *failed, counted_b, counted_a = with_database_store(engine, work)

    assert all(isinstance(outcome, BatchFailed) for outcome in failed), failed
    assert (counted_b, counted_a) == (True, True)
    assert stored_views(session, article.id) == 4


def test_stop_writes_every_view_still_queued(engine: Engine, session: Session) -> None:
    article = factories.article(session)

    async def work() -> list[bool]:
        store = DatabaseViewStore(engine, DEDUP)
        waiting = [
            asyncio.create_task(store.record(ident(article), None, BASE)) for _ in range(200)
        ]
        await asyncio.sleep(0)  # every record() queued, none written yet
        await store.stop()
        assert all(task.done() for task in waiting)
        return [task.result() for task in waiting]

    assert asyncio.run(work()) == [True] * 200
    assert stored_views(session, article.id) == 200


def with_redis_store(engine: Engine, work: Callable[[RedisViewStore], Awaitable[T]]) -> T:
    async def run() -> T:
        store = RedisViewStore(engine, REDIS_URL, DEDUP, flush_seconds=60)
        try:
            return await work(store)
        finally:
            await store.stop()

    return asyncio.run(run())


def test_redis_counts_racing_repeats_once(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    first, second = factories.article(session), factories.article(session)
    readers = [visitor_hash(f"reader-{n}") for n in range(50)]
    views = [View(ident(a), r, BASE) for _ in range(4) for a in (first, second) for r in readers]
    views += [View(ident(first), None, BASE + timedelta(hours=h)) for h in (0, 1, 1)]

    outcomes = with_redis_store(engine, lambda store: record_all(store, views))

    assert outcomes == [True] * 100 + [False] * 300 + [True] * 3
    assert all_buckets(session) == {
        (ident(first), "hour", floor_to_hour(BASE)): 51,
        (ident(first), "hour", floor_to_hour(BASE + timedelta(hours=1))): 2,
        (ident(second), "hour", floor_to_hour(BASE)): 50,
    }


def test_redis_stop_counts_every_view_still_queued(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    article = factories.article(session)

    async def work() -> list[bool]:
        store = RedisViewStore(engine, REDIS_URL, DEDUP, flush_seconds=60)
        waiting = [
            asyncio.create_task(store.record(ident(article), None, BASE)) for _ in range(200)
        ]
        await asyncio.sleep(0)
        await store.stop()
        return [task.result() for task in waiting]

    assert asyncio.run(work()) == [True] * 200
    assert stored_views(session, article.id) == 200


def test_an_unreachable_redis_fails_the_whole_batch(engine: Engine, session: Session) -> None:
    article = factories.article(session)

    async def work() -> list[BaseException | bool]:
        # Nothing listens on port 1.
        store = RedisViewStore(engine, "redis://127.0.0.1:1/0", DEDUP, flush_seconds=60)
        try:
            views = [View(ident(article), None, BASE)] * 20
            return await asyncio.gather(
                *(store.record(*view) for view in views), return_exceptions=True
            )
        finally:
            await store.redis.aclose()

    outcomes = asyncio.run(work())
    # Each caller is told Redis is unavailable (a 503), the batch's failure as its cause.
    for outcome in outcomes:
        assert isinstance(outcome, ServiceUnavailable), outcome
        assert isinstance(outcome.__cause__, BatchFailed)
    assert stored_views(session, article.id) == 0


def test_without_a_dedup_window_every_view_counts(engine: Engine, session: Session) -> None:
    article = factories.article(session)
    views = [View(ident(article), visitor_hash("reader-a"), BASE)] * 5

    async def work() -> list[bool]:
        store = DatabaseViewStore(engine, timedelta(0))
        return await record_all(store, views)

    assert asyncio.run(work()) == [True] * 5
    assert stored_views(session, article.id) == 5
