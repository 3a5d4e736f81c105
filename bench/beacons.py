"""Beacon ingest per view store against a bare POST route answering 202, counted exactly.

Byline runs as `byline serve` with VIEW_STORE set and the per-client rate limit off
(VIEWS_PER_MINUTE_PER_CLIENT=0: every beacon comes from one address). wrk POSTs bodiless
beacons with a browser User-Agent, as `navigator.sendBeacon(url)` does, alternating with
the same POST to bench/bare.py. Each beacon run ends with nothing in flight (see
wrk.POST_SCRIPT), so once the server has stopped (the Redis store flushes on shutdown)
the views added to the database must equal the 202s wrk counted.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import redis
from sqlalchemy import text

from app.db import create_db_engine
from bench import wrk
from bench.measure import Comparison, Load, Request, Sample, Series, alternate
from bench.process import ServerError, bare_server, byline_server, request

STORES = ("database", "redis")
REDIS_URL = "redis://127.0.0.1:6379/9"
REDIS_KEYS = "byline:views:*"


@dataclass(frozen=True)
class Exactness:
    counted_by_wrk: int
    added_to_database: int
    redis_keys_left: int
    clean_shutdown: bool

    @property
    def matched(self) -> bool:
        return self.counted_by_wrk == self.added_to_database and not self.redis_keys_left


def views_total(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            total = connection.execute(text("SELECT coalesce(sum(views), 0) FROM view_buckets"))
            return int(total.scalar_one())
    finally:
        engine.dispose()


def clear_redis() -> int:
    """Delete the store's keys in the bench's Redis database; returns how many there were."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=REDIS_KEYS, count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


def run(
    database_url: str,
    backend: str,
    store: str,
    load: Load,
    directory: Path,
    report: Callable[[Series, Sample], None],
) -> tuple[Comparison, Exactness]:
    env = {"VIEW_STORE": store, "VIEWS_PER_MINUTE_PER_CLIENT": "0"}
    if store == "redis":
        clear_redis()
        env["REDIS_URL"] = REDIS_URL
    before = views_total(database_url)
    script = wrk.write_post_script(directory)
    server = byline_server(database_url, directory / f"byline-{store}.log", env=env)
    try:
        server.start()
        with bare_server(directory / "bare-post.log", None) as bare:
            newest = orjson.loads(request(server.base_url + "/v1/articles?limit=1")[2])
            slug = newest["items"][0]["slug"]
            path = f"/v1/articles/{slug}/views"
            headers = {"User-Agent": wrk.BROWSER_USER_AGENT}
            for target in (server.base_url + path, bare.base_url + "/"):
                status = request(target, method="POST", headers=headers)[0]
                if status != 202:
                    raise ServerError(f"POST {target} answered {status}; a beacon needs 202")
            beacon = Series(f"beacon {store}", server.name, path)
            ceiling = Series("bare POST", bare.name, "/")
            alternate(
                [
                    (beacon, Request(server, path, script, post=True)),
                    (ceiling, Request(bare, "/", script, post=True)),
                ],
                load,
                report,
            )
    finally:
        clean = server.stop()
    left = clear_redis() if store == "redis" else 0
    exactness = Exactness(
        counted_by_wrk=1 + sum(s.answered for s in beacon.samples),
        added_to_database=views_total(database_url) - before,
        redis_keys_left=left,
        clean_shutdown=clean,
    )
    return Comparison("beacons", backend, beacon.name, beacon, ceiling), exactness
