"""The Redis view store when Redis fails: each view counted once, or answered 503.

The windows tested here are too narrow to hit from outside on purpose; the test of a
real server with Redis stopped and started is tests/ops/test_fault_redis.py.
"""

import asyncio
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.db import create_db_engine
from app.popularity.stores import COUNTED, FLUSHING, PENDING, RedisViewStore
from tests import factories
from tests.conftest import own_app_client
from tests.helpers import problem
from tests.popularity.support import REDIS_URL, ident, stored_views, visitor
from tests.popularity.test_redis_store import DEDUP, with_store
from tests.processes import free_port


async def flush_cut_off_after_writing(
    store: RedisViewStore, article_id: int, at: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three views recorded, then a flush that commits them to the database but loses
    Redis before it can delete their batch."""

    async def lost_delete(*_keys: str) -> int:
        raise redis.exceptions.ConnectionError("Redis went away")

    for _ in range(3):
        await store.record(article_id, None, at)
    with monkeypatch.context() as patched:
        patched.setattr(store.redis, "delete", lost_delete)
        with pytest.raises(redis.exceptions.ConnectionError):
            await store.flush()


def test_a_batch_whose_delete_failed_is_not_added_again_by_another_worker(
    engine: Engine, session: Session, sync_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis goes away after the database committed a batch but before its key is deleted,
    and the worker dies: another worker takes the batch over a minute later."""
    article = factories.article(session)
    now = datetime.now(UTC)

    async def dies_after_writing(store: RedisViewStore) -> None:
        await flush_cut_off_after_writing(store, ident(article), now, monkeypatch)

    async def takes_over(store: RedisViewStore) -> int:
        [left] = sync_redis.scan_iter(match=f"{FLUSHING}*")
        # Within the minute the batch is its flush's: another leaves it alone ...
        assert await store.flush() == 0
        assert sync_redis.exists(left)
        # ... after it, the batch is taken over, found added, and only deleted.
        started, batch = left.removeprefix(FLUSHING).split(":", 1)
        sync_redis.rename(left, f"{FLUSHING}{int(started) - 120}:{batch}")
        return await store.flush()

    with_store(engine, dies_after_writing)
    assert stored_views(session, article.id) == 3
    assert with_store(engine, takes_over) == 0
    assert stored_views(session, article.id) == 3
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_a_worker_finishes_its_own_failed_flush_at_its_next_flush(
    engine: Engine, session: Session, sync_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = factories.article(session)
    now = datetime.now(UTC)

    async def work(store: RedisViewStore) -> list[int]:
        await flush_cut_off_after_writing(store, ident(article), now, monkeypatch)
        await store.record(ident(article), None, now)
        # The next flush does not wait out the minute: the batch was its own.
        return [await store.flush(), await store.flush()]

    assert with_store(engine, work) == [1, 0]
    assert stored_views(session, article.id) == 4
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_two_flushes_of_one_batch_add_it_once(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    """A flush so slow that another took its batch over: whichever commits second adds nothing."""
    article = factories.article(session)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    batch = f"{FLUSHING}{int(time.time()) - 120}:0123456789abcdef0123456789abcdef"
    sync_redis.hset(batch, f"{article.id}:{int(hour.timestamp())}", 5)

    async def work(store: RedisViewStore) -> list[bool]:
        [claimed] = await store._claim_batches()
        counts = Counter({(ident(article), hour): 5})
        batch_id = claimed.rsplit(":", 1)[1]
        return [store._write(batch_id, counts), store._write(batch_id, counts)]

    assert with_store(engine, work) == [True, False]
    assert stored_views(session, article.id) == 5


def test_a_retried_count_returns_its_outcome_without_counting_again(
    engine: Engine, session: Session, sync_redis: redis.Redis
) -> None:
    """redis-py resends a call whose answer was lost; the batch's outcome key answers it."""
    article = factories.article(session)
    field = f"{article.id}:{int(time.time()) // 3600 * 3600}"
    seen = f"byline:views:seen:{article.id}:reader"
    # A reader's view, an anonymous one, the reader's repeat.
    keys = [PENDING, f"{COUNTED}retried", seen, seen]
    args: list[Any] = [1800, field, 1, field, 0, field, 1]

    async def work(store: RedisViewStore) -> list[str]:
        return [
            await store._count_script(keys=keys, args=args),
            await store._count_script(keys=keys, args=args),
        ]

    assert with_store(engine, work) == ["110", "110"]
    assert sync_redis.hget(PENDING, field) == "2"


def test_beacons_answer_503_while_redis_is_unreachable(session: Session, database_url: str) -> None:
    article = factories.article(session)
    settings = Settings(
        database_url=database_url,
        view_store="redis",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        views_per_minute_per_client=0,
        log_level="critical",
    )
    with own_app_client(settings) as client:
        started = time.monotonic()
        answer = visitor(client, article.slug, "reader-a")
        elapsed = time.monotonic() - started
        body = problem(answer, 503)
        assert answer.headers["retry-after"].isdigit()
        assert body["type"] == "urn:byline:problem:service-unavailable"
        # Refused at once, and the retry is quick too: the beacon does not wait for Redis.
        assert elapsed < 2, elapsed
    assert stored_views(session, article.id) == 0


def test_flushes_while_the_database_is_down_log_one_line_and_keep_the_counts(
    engine: Engine,
    session: Session,
    sync_redis: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    article = factories.article(session)
    now = datetime.now(UTC)
    unreachable = create_db_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")

    async def while_down() -> None:
        store = RedisViewStore(unreachable, REDIS_URL, DEDUP, flush_seconds=0.05)
        await store.start()
        for _ in range(2):
            await store.record(ident(article), None, now)
        await asyncio.sleep(0.3)  # several flush attempts
        await store.stop()

    async def when_back(store: RedisViewStore) -> int:
        return await store.flush()

    # Byline's loggers write their own JSON lines and do not propagate: listen directly.
    views_log = logging.getLogger("byline.views")
    caplog.set_level(logging.WARNING, logger=views_log.name)
    views_log.addHandler(caplog.handler)
    try:
        asyncio.run(while_down())
    finally:
        views_log.removeHandler(caplog.handler)
    # The loop's attempts and the last one at stop: a warning line each, no traceback.
    assert len(caplog.records) >= 2
    for record in caplog.records:
        assert record.levelno == logging.WARNING
        assert "flushing views failed, database unavailable" in record.getMessage()
        assert record.exc_info is None
    assert stored_views(session, article.id) == 0
    # The counts wait in Redis; another worker takes the batch over once it is a minute old.
    [left] = sync_redis.scan_iter(match=f"{FLUSHING}*")
    started, batch = left.removeprefix(FLUSHING).split(":", 1)
    sync_redis.rename(left, f"{FLUSHING}{int(started) - 120}:{batch}")
    assert with_store(engine, when_back) == 2
    assert stored_views(session, article.id) == 2


def test_a_batch_held_through_a_long_database_outage_is_added_when_it_ends(
    engine: Engine, session: Session, sync_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is down for longer than the takeover window: the worker's own batch,
    which its later flushes see as abandoned, still reaches the database once."""
    article = factories.article(session)
    now = datetime.now(UTC)

    def database_down(*_args: Any) -> bool:
        raise ConnectionError("the database went away")

    async def work(store: RedisViewStore) -> int:
        for _ in range(3):
            await store.record(ident(article), None, now)
        with monkeypatch.context() as patched:
            patched.setattr(store, "_write", database_down)
            with pytest.raises(ConnectionError):
                await store.flush()
        # Two minutes on, the batch looks abandoned to every flush, this one's too.
        later = time.time() + 120
        monkeypatch.setattr("app.popularity.stores.time", SimpleNamespace(time=lambda: later))
        return await store.flush()

    assert with_store(engine, work) == 3
    assert stored_views(session, article.id) == 3
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_a_batch_another_worker_took_over_is_added_by_that_worker_alone(
    engine: Engine, session: Session, sync_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's flush fails for over a minute; another takes its batch over, and the
    first flushes again before the second has written it."""
    article = factories.article(session)
    now = datetime.now(UTC)

    def database_down(*_args: Any) -> bool:
        raise ConnectionError("the database went away")

    async def work() -> list[int]:
        stuck = RedisViewStore(engine, REDIS_URL, DEDUP, flush_seconds=60)
        other = RedisViewStore(engine, REDIS_URL, DEDUP, flush_seconds=60)
        try:
            for _ in range(3):
                await stuck.record(ident(article), None, now)
            with monkeypatch.context() as patched:
                patched.setattr(stuck, "_write", database_down)
                with pytest.raises(ConnectionError):
                    await stuck.flush()
            later = time.time() + 120
            monkeypatch.setattr("app.popularity.stores.time", SimpleNamespace(time=lambda: later))
            [taken] = await other._claim_batches()
            other._unfinished.append(taken)
            return [await stuck.flush(), await other.flush()]
        finally:
            await stuck.redis.aclose()
            await other.redis.aclose()

    assert asyncio.run(work()) == [0, 3]
    assert stored_views(session, article.id) == 3
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []
