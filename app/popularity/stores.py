"""Where beacons are counted first: the database itself, or Redis in front of it.

Both end in the same bucket upsert. The Redis store buffers increments in one
hash and moves them to the database every few seconds, so the database takes one
transaction per interval instead of one per view; if Redis is lost, so are the
views of at most the last interval.

While Redis cannot be reached, beacons answer 503 with Retry-After and count nothing:
falling back to the database would count a view twice whenever Redis had counted it
but its answer was lost, and its repeats would be judged against different records.
Each batch is counted exactly once however often redis-py retries it, and each flushed
batch is recorded in the transaction that adds its views, so a flush that dies before
deleting the batch from Redis never gets it added again.

Both take concurrent beacons in batches (see batching.py): the database store
writes a batch in one transaction, the Redis store counts it in one script call.
"""

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.db import WRITE_OPTION
from app.errors import ServiceUnavailable, database_outage
from app.models import Article
from app.popularity.batching import Batcher, BatchFailed
from app.popularity.counts import BucketKey, add_views, first_flush_of, first_view_in
from app.popularity.windows import floor_hour

log = logging.getLogger("byline.views")

PENDING = "byline:views:pending"
FLUSHING = "byline:views:flushing:"
SEEN = "byline:views:seen:"
COUNTED = "byline:views:counted:"
SeenKey = tuple[int, str]  # (article id, visitor hash)
# A flush still holding its batch after this long has died; another worker takes over.
ABANDONED_AFTER_SECONDS = 60
# Redis answers in well under a millisecond; a call this slow means it is gone or hung,
# and a beacon (or the flush, which every beacon's batch waits behind) must not wait on it.
REDIS_TIMEOUT_SECONDS = 0.5
# One retry, on a fresh connection: what a restarted Redis needs, as pooled connections
# to the old one all fail once.
REDIS_RETRIES = 1

# Counts a batch of views atomically, in order, so a visitor's repeats within one
# batch are refused as they would be one by one. KEYS: the pending hash, the batch's
# own outcome key, then the seen key of each view that is checked for repeats, in
# order. ARGV: how long a seen key lives (seconds), then for each view its pending
# field and whether it is checked (1 or 0). Returns a string of 1 or 0 per view:
# counted or a repeat. The outcome is kept for a minute under the batch's key, so a
# call that redis-py retries (its answer lost to a timeout or a dropped connection)
# returns it again instead of counting the batch twice.
COUNT_VIEWS = """
local done = redis.call('GET', KEYS[2])
if done then
  return done
end
local added, counted, next_seen = {}, {}, 3
for i = 2, #ARGV, 2 do
  local first = true
  if ARGV[i + 1] == '1' then
    first = redis.call('SET', KEYS[next_seen], 1, 'NX', 'EX', ARGV[1])
    next_seen = next_seen + 1
  end
  if first then
    added[ARGV[i]] = (added[ARGV[i]] or 0) + 1
    counted[#counted + 1] = '1'
  else
    counted[#counted + 1] = '0'
  end
end
for field, views in pairs(added) do
  redis.call('HINCRBY', KEYS[1], field, views)
end
local outcome = table.concat(counted)
redis.call('SET', KEYS[2], outcome, 'EX', 60)
return outcome
"""


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


class View(NamedTuple):
    article_id: int
    visitor: str | None
    at: datetime


class DatabaseViewStore:
    """Views counted in the database, concurrent beacons sharing one transaction.

    One batch is written at a time, in a thread, which also keeps SQLite's one
    writer rule among the views without leaning on its busy handler (whose growing
    sleeps made long tails).
    """

    def __init__(self, engine: Engine, dedup: timedelta) -> None:
        self.engine = engine
        self.dedup = dedup
        self._batcher: Batcher[View, bool] = Batcher(self._write)

    def _counts(self, session: Session, view: View, counted_at: dict[SeenKey, datetime]) -> bool:
        """Whether the view counts, exactly as if the batch's views had been written one
        by one: a visitor's view counted earlier in the batch is in `counted_at`."""
        if view.visitor is None:
            return True
        key = (view.article_id, view.visitor)
        earlier = counted_at.get(key)
        # The row now holds `earlier`, so the database would refuse this view too.
        if earlier is not None and view.at - earlier < self.dedup:
            return False
        if not first_view_in(session, view.article_id, view.visitor, view.at, self.dedup):
            return False
        counted_at[key] = view.at
        return True

    def _write_in_thread(self, views: list[View]) -> list[bool]:
        outcomes = [False] * len(views)
        buckets: Counter[BucketKey] = Counter()
        counted_at: dict[SeenKey, datetime] = {}
        # Visitor rows are written in one order in every transaction (as add_views orders
        # buckets), so two workers' batches never wait on each other's rows in a cycle on
        # PostgreSQL; a visitor's own views keep the order they came in.
        in_row_order = sorted(
            range(len(views)), key=lambda i: (views[i].article_id, views[i].visitor or "", i)
        )
        with write_session(self.engine) as session:
            for i in in_row_order:
                view = views[i]
                outcomes[i] = self._counts(session, view, counted_at)
                if outcomes[i]:
                    buckets[(view.article_id, floor_hour(view.at))] += 1
            add_views(session, buckets)
            session.commit()
        return outcomes

    async def _write(self, views: list[View]) -> list[bool]:
        return await run_in_threadpool(self._write_in_thread, views)

    async def record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        return await self._batcher.submit(View(article_id, visitor, at))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self._batcher.drain()


class RedisViewStore:
    def __init__(
        self, engine: Engine, redis_url: str, dedup: timedelta, flush_seconds: float
    ) -> None:
        self.engine = engine
        self.redis = aioredis.from_url(
            redis_url,
            decode_responses=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), REDIS_RETRIES),
        )
        self.dedup = dedup
        self.flush_seconds = flush_seconds
        self._flusher: asyncio.Task[None] | None = None
        # Batches this process claimed and has not finished (Redis failed mid-flush). No
        # other flush takes them for a minute, so the next flush here retries them first.
        self._unfinished: list[str] = []
        self._count_script = self.redis.register_script(COUNT_VIEWS)
        self._batcher: Batcher[View, bool] = Batcher(self._count)

    async def record(self, article_id: int, visitor: str | None, at: datetime) -> bool:
        try:
            return await self._batcher.submit(View(article_id, visitor, at))
        except BatchFailed as failed:
            if not isinstance(failed.__cause__, RedisError):
                raise
            raise ServiceUnavailable(
                "Page views cannot be counted right now; try again later."
            ) from failed

    async def _count(self, views: list[View]) -> list[bool]:
        """One script call for the whole batch: its views are checked and added in order."""
        seen_keys = []
        args: list[str | int] = [int(self.dedup.total_seconds())]
        for view in views:
            checked = view.visitor is not None and bool(self.dedup)
            if checked:
                seen_keys.append(f"{SEEN}{view.article_id}:{view.visitor}")
            args += [f"{view.article_id}:{int(floor_hour(view.at).timestamp())}", int(checked)]
        outcome_key = f"{COUNTED}{uuid.uuid4().hex}"
        counted = await self._count_script(keys=[PENDING, outcome_key, *seen_keys], args=args)
        return [flag == "1" for flag in counted]

    def _write(self, batch: str, counts: Counter[BucketKey]) -> bool:
        """Add a batch's views unless it was added before; False when it was."""
        with write_session(self.engine) as session:
            if not first_flush_of(session, batch, datetime.now(UTC)):
                return False
            # Views of an article deleted since its beacon have nowhere to go; dropping
            # them keeps one deletion from blocking every other article's counts.
            ids = {article_id for article_id, _ in counts}
            alive = set(session.exec(select(Article.id).where(col(Article.id).in_(ids))))
            add_views(session, {key: n for key, n in counts.items() if key[0] in alive})
            session.commit()
        return True

    async def _claim_batches(self) -> list[str]:
        """The pending hash under a name of our own, plus batches abandoned by dead flushes.

        A batch is named FLUSHING<claimed at>:<batch>; taking over an abandoned one renews
        its time but keeps its batch, by which the database knows whether it was added.
        """
        claimed = []
        now = int(time.time())
        async for key in self.redis.scan_iter(match=f"{FLUSHING}*"):
            if key in self._unfinished:
                continue  # this process's own, however long its flushes have failed
            started, batch = key.removeprefix(FLUSHING).split(":", 1)
            if now - int(started) > ABANDONED_AFTER_SECONDS:
                mine = f"{FLUSHING}{now}:{batch}"
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
        self._unfinished += await self._claim_batches()
        moved = 0
        while self._unfinished:
            key = self._unfinished[0]
            fields = await self.redis.hgetall(key)
            # Redis keeps no empty hash: the batch is gone, taken over by another worker
            # after a long failure here. It is that worker's to add; recording it here
            # with no counts would have the database refuse its real ones.
            if fields:
                counts: Counter[BucketKey] = Counter()
                for field, value in fields.items():
                    article, hour = str(field).split(":")
                    counts[(int(article), datetime.fromtimestamp(int(hour), UTC))] += int(value)
                batch = key.rsplit(":", 1)[1]
                if await run_in_threadpool(self._write, batch, counts):
                    moved += sum(counts.values())
                await self.redis.delete(key)
            self._unfinished.pop(0)
        return moved

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self._flush_or_log()

    async def _flush_or_log(self) -> None:
        """Flush; a failure leaves the counts in Redis for a later flush of any worker."""
        try:
            await self.flush()
        except RedisError as exc:
            # Expected while Redis is down: one line per attempt, not a traceback.
            log.warning("flushing views failed, Redis unreachable; will retry: %s", exc)
        except Exception as exc:
            if database_outage(exc) is None:
                log.exception("flushing views to the database failed; will retry")
            else:
                log.warning("flushing views failed, database unavailable; will retry: %s", exc)

    async def start(self) -> None:
        self._flusher = asyncio.create_task(self._flush_forever())

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._batcher.drain()
        await self._flush_or_log()
        await self.redis.aclose()


def view_store(settings: Settings, engine: Engine) -> ViewStore:
    dedup = timedelta(minutes=settings.view_dedup_minutes)
    if settings.view_store == "redis":
        return RedisViewStore(engine, settings.redis_url, dedup, settings.view_flush_seconds)
    return DatabaseViewStore(engine, dedup)
