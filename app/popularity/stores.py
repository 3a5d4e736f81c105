"""Where beacons are counted first: the database itself, or Redis in front of it.

Both end in the same bucket upsert. The Redis store buffers increments in one
hash and moves them to the database every few seconds, so the database takes one
transaction per interval instead of one per view; if Redis is lost, so are the
views of at most the last interval.
"""

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import ResponseError
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.db import WRITE_OPTION
from app.models import Article
from app.popularity.counts import BucketKey, add_views, first_view_in
from app.popularity.windows import floor_hour

log = logging.getLogger("byline.views")

PENDING = "byline:views:pending"
FLUSHING = "byline:views:flushing:"
SEEN = "byline:views:seen:"
# A flush still holding its batch after this long has died; another worker takes over.
ABANDONED_AFTER_SECONDS = 60


def visitor_hash(visitor_id: str) -> str:
    """Visitor ids are kept only as hashes."""
    return hashlib.sha256(visitor_id.encode()).hexdigest()[:32]


def write_session(engine: Engine) -> Session:
    session = Session(engine)
    session.connection(execution_options={WRITE_OPTION: True})
    return session


class ViewStore(Protocol):
    async def record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        """Count one view; False when it repeats the visitor's recent view."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class DatabaseViewStore:
    def __init__(self, engine: Engine, dedup: timedelta) -> None:
        self.engine = engine
        self.dedup = dedup
        # SQLite takes one writer at a time; threads that wait for it in SQLite's busy
        # handler sleep in growing steps (long tails), so they queue on a lock instead.
        self._one_writer = (
            threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    def _record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        with self._one_writer, write_session(self.engine) as session:
            if visitor is not None and not first_view_in(
                session, article_id, visitor, at, self.dedup
            ):
                return False
            add_views(session, {(article_id, floor_hour(at)): 1})
            session.commit()
        return True

    async def record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        return await run_in_threadpool(self._record, article_id, visitor, at)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisViewStore:
    def __init__(
        self, engine: Engine, redis_url: str, dedup: timedelta, flush_seconds: float
    ) -> None:
        self.engine = engine
        self.redis = aioredis.from_url(redis_url, decode_responses=True)
        self.dedup = dedup
        self.flush_seconds = flush_seconds
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        if visitor is not None and self.dedup:
            first = await self.redis.set(
                f"{SEEN}{article_id}:{visitor}", 1, nx=True, ex=int(self.dedup.total_seconds())
            )
            if not first:
                return False
        hour = int(floor_hour(at).timestamp())
        await self.redis.hincrby(PENDING, f"{article_id}:{hour}", 1)
        return True

    def _write(self, counts: Counter[BucketKey]) -> None:
        with write_session(self.engine) as session:
            # Views of an article deleted since its beacon have nowhere to go; dropping
            # them keeps one deletion from blocking every other article's counts.
            ids = {article_id for article_id, _ in counts}
            alive = set(session.exec(select(Article.id).where(col(Article.id).in_(ids))))
            add_views(session, {key: n for key, n in counts.items() if key[0] in alive})
            session.commit()

    async def _claim_batches(self) -> list[str]:
        """The pending hash under a name of our own, plus batches abandoned by dead flushes."""
        claimed = []
        now = int(time.time())
        async for key in self.redis.scan_iter(match=f"{FLUSHING}*"):
            started = int(key.removeprefix(FLUSHING).split(":", 1)[0])
            if now - started > ABANDONED_AFTER_SECONDS:
                mine = f"{FLUSHING}{now}:{uuid.uuid4().hex}"
                with contextlib.suppress(ResponseError):  # another worker took it first
                    await self.redis.rename(key, mine)
                    claimed.append(mine)
        mine = f"{FLUSHING}{now}:{uuid.uuid4().hex}"
        with contextlib.suppress(ResponseError):  # nothing pending
            await self.redis.rename(PENDING, mine)
            claimed.append(mine)
        return claimed

    async def flush(self) -> int:
        """Move buffered counts into the database; returns the views moved."""
        moved = 0
        for key in await self._claim_batches():
            counts: Counter[BucketKey] = Counter()
            for field, value in (await self.redis.hgetall(key)).items():
                article, hour = str(field).split(":")
                counts[(int(article), datetime.fromtimestamp(int(hour), UTC))] += int(value)
            await run_in_threadpool(self._write, counts)
            await self.redis.delete(key)
            moved += sum(counts.values())
        return moved

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            try:
                await self.flush()
            except Exception:
                log.exception("flushing views to the database failed; will retry")

    async def start(self) -> None:
        self._flusher = asyncio.create_task(self._flush_forever())

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()
        await self.redis.aclose()


def view_store(settings: Settings, engine: Engine) -> ViewStore:
    dedup = timedelta(minutes=settings.view_dedup_minutes)
    if settings.view_store == "redis":
        return RedisViewStore(engine, settings.redis_url, dedup, settings.view_flush_seconds)
    return DatabaseViewStore(engine, dedup)
