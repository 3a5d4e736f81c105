"""Redis stopped and started again under beacons, with the Redis view store.

While Redis is down, beacons answer 503 problem+json with Retry-After at once, and
count nothing; when it is back, counting resumes by itself. Redis here saves its data
when shut down and loads it when started, as a production Redis with persistence
does, so every view it counted must reach the database exactly once: as many views
as Redis holds visitors' seen keys, each visitor being new.
"""

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.popularity.stores import FLUSHING, PENDING, SEEN
from tests.ops.servers import Served, beacon, scratch_database, served
from tests.processes import free_port

SENDERS = 4
FLUSH_SECONDS = 0.5
LOAD_SECONDS = 1.5
DOWN_SECONDS = 3.0
ANSWER_WITHIN_SECONDS = 2.0
SETTLED_WITHIN_SECONDS = 15


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, in a directory of its own, on a free port."""

    directory: Path
    port: int
    process: "subprocess.Popen[bytes] | None" = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        # No retries: SHUTDOWN ends in a lost connection, which redis-py would retry
        # for seconds against a server that is gone.
        return redis.Redis(
            port=self.port, decode_responses=True, socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )

    def start(self) -> None:
        command = [
            *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--dir", str(self.directory), "--save", "", "--appendonly", "no"),
        ]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while True:
            try:
                with self.client() as client:
                    client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, (self.directory / "redis.log").read_text()
                time.sleep(0.05)

    def stop(self) -> None:
        """SHUTDOWN SAVE: what it holds is written to its directory for the next start."""
        assert self.process is not None
        with self.client() as client:
            client.shutdown(save=True)
        self.process.wait(timeout=10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires it)")
        pytest.skip(reason)
    directory.mkdir()
    server = PrivateRedis(directory, free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def byline(redis_server: PrivateRedis, tmp_path: Path) -> Iterator[Served]:
    settings = {
        "VIEW_STORE": "redis",
        "REDIS_URL": redis_server.url,
        "VIEW_FLUSH_SECONDS": str(FLUSH_SECONDS),
    }
    with (
        scratch_database("postgresql", tmp_path) as database_url,
        served(database_url, tmp_path, settings=settings) as server,
    ):
        yield server


Answer = tuple[float, float, int]  # sent at, seconds taken, status


def test_beacons_answer_503_while_redis_is_down_and_count_once_when_it_is_back(
    byline: Served, redis_server: PrivateRedis
) -> None:
    article_id, slug = byline.publish_article()
    stop = threading.Event()
    answers: list[Answer] = []

    def send(sender: int) -> None:
        with httpx.Client(base_url=byline.url, timeout=10) as client:
            number = 0
            while not stop.is_set():
                number += 1
                sent_at = time.monotonic()
                response = beacon(client, slug, f"reader-{sender}-{number}")
                answers.append((sent_at, time.monotonic() - sent_at, response.status_code))
                if response.status_code == 503:
                    assert response.headers["content-type"] == "application/problem+json"
                    assert response.headers["retry-after"].isdigit()

    with ThreadPoolExecutor(SENDERS) as pool:
        load = [pool.submit(send, s) for s in range(SENDERS)]
        time.sleep(LOAD_SECONDS)
        stopping_at = time.monotonic()
        redis_server.stop()
        stopped_at = time.monotonic()
        time.sleep(DOWN_SECONDS)
        starting_at = time.monotonic()
        redis_server.start()
        started_at = time.monotonic()
        time.sleep(LOAD_SECONDS)
        stop.set()
        for done in load:
            done.result()

    statuses = [status for _, _, status in answers]
    assert set(statuses) <= {202, 503}, statuses
    slowest = max(taken for _, taken, _ in answers)
    assert slowest < ANSWER_WITHIN_SECONDS, slowest
    refused = [sent for sent, _, status in answers if status == 503]
    assert refused, "no beacon met Redis down"
    # Stopped means refused: no beacon sent and answered while it was down counted.
    down = [s for sent, taken, s in answers if stopped_at < sent and sent + taken < starting_at]
    assert set(down) == {503}, down
    resumed = [sent for sent, _, status in answers if sent > started_at and status == 202]
    assert resumed, "counting did not resume"
    acknowledged = statuses.count(202)

    with redis_server.client() as client:
        seen = sum(1 for _ in client.scan_iter(match=f"{SEEN}{article_id}:*", count=1000))
        deadline = time.monotonic() + SETTLED_WITHIN_SECONDS
        while byline.stored_views(article_id) != seen:
            assert time.monotonic() < deadline, (byline.stored_views(article_id), seen)
            time.sleep(0.2)
        # Flushes that follow add nothing more, and leave no batch behind.
        time.sleep(3 * FLUSH_SECONDS)
        assert byline.stored_views(article_id) == seen
        assert not client.exists(PENDING)
        assert list(client.scan_iter(match=f"{FLUSHING}*")) == []
    # A 503 whose view Redis counted just before it stopped is the one way to differ.
    assert acknowledged <= seen <= acknowledged + len(refused)
    log = byline.server.log.read_text()
    assert "Traceback" not in log, log
    print(
        f"{acknowledged} views acknowledged, {len(refused)} refused with 503 "
        f"(first {min(refused) - stopping_at:+.2f} s after SHUTDOWN was sent, which took "
        f"{stopped_at - stopping_at:.2f} s), {seen} counted once; "
        f"slowest answer {slowest * 1000:.0f} ms; counting resumed "
        f"{min(resumed) - started_at:.2f} s after Redis was back"
    )
