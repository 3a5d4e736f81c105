"""Exact counts under load, against a real server: `byline serve` with two worker processes.

10,000 beacons from 50 concurrent clients must all be accepted and counted exactly,
while an editor PATCHes the same article through the management API and loses
nothing. A quarter of the beacons carry one of a few visitor ids, each sent by every
client, so a visitor's repeats race each other across connections and workers: each
visitor counts once. Runs for each database backend and each view store.
"""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from sqlmodel import Session

from app.popularity.stores import FLUSHING, PENDING
from tests import factories
from tests.helpers import metric_samples, running_server
from tests.popularity.support import BROWSER_UA, REDIS_URL, ident, stored_views

CLIENTS = 50
BEACONS = 10_000
# Every fourth beacon of each client names one of VISITORS readers, in turn.
VISITOR_EVERY = 4
VISITORS = 25
VISITOR_BEACONS = BEACONS // VISITOR_EVERY
COUNTED = BEACONS - VISITOR_BEACONS + VISITORS
EDITS = 30
FLUSH_SECONDS = 0.5
MERGE_PATCH = "application/merge-patch+json"


def server_environment(database_url: str, store: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "VIEWS_PER_MINUTE_PER_CLIENT": "0",
        "POPULAR_CACHE_SECONDS": "0",
        "LOG_LEVEL": "warning",
        "VIEW_STORE": store,
    }
    if store == "redis":
        env |= {"REDIS_URL": REDIS_URL, "VIEW_FLUSH_SECONDS": str(FLUSH_SECONDS)}
    return env


@dataclass
class Beacons:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0


def send_beacons(base: str, slug: str) -> Beacons:
    """BEACONS page views from CLIENTS threads, each with its own connection."""
    result = Beacons()
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS + 1)
    per_client = BEACONS // CLIENTS
    assert per_client * CLIENTS == BEACONS

    def client() -> None:
        statuses: Counter[int] = Counter()
        failures: list[str] = []
        with httpx.Client(base_url=base, headers={"User-Agent": BROWSER_UA}, timeout=60) as http:
            start.wait()
            for n in range(per_client):
                reader = n // VISITOR_EVERY % VISITORS
                try:
                    response = http.post(
                        f"/v1/articles/{slug}/views",
                        content=f'{{"visitor_id": "reader-{reader}"}}'
                        if n % VISITOR_EVERY == 0
                        else None,
                        headers={"Content-Type": "text/plain;charset=UTF-8"},
                    )
                except httpx.HTTPError as exc:
                    statuses[0] += 1
                    failures.append(repr(exc))
                    continue
                statuses[response.status_code] += 1
                if response.status_code != 202:
                    failures.append(f"{response.status_code} {response.text[:300]}")
        with lock:
            result.statuses += statuses
            result.failures += failures

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    result.started = time.monotonic()
    for thread in threads:
        thread.join()
    result.finished = time.monotonic()
    return result


@dataclass
class Edits:
    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    first_sent: float = 0.0
    last_done: float = 0.0


def edit(base: str, secret: str, article_id: int, go: threading.Event) -> Edits:
    """One editor: read the ETag, PATCH a new headline with If-Match, EDITS times."""
    edits = Edits()
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/v1/manage/articles/{article_id}"
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        go.wait()
        edits.first_sent = time.monotonic()
        for i in range(EDITS):
            current = http.get(path)
            if current.status_code != 200:
                edits.statuses.append(current.status_code)
                edits.failures.append(f"GET {current.status_code} {current.text[:300]}")
                continue
            headline = f"Edited under load, take {i}"
            response = http.patch(
                path,
                json={"headline": headline},
                headers={"If-Match": current.headers["etag"], "Content-Type": MERGE_PATCH},
            )
            edits.statuses.append(response.status_code)
            if response.status_code == 200:
                assert response.json()["headline"] == headline
                edits.succeeded.append(headline)
            else:
                edits.failures.append(f"PATCH {response.status_code} {response.text[:300]}")
            time.sleep(0.05)
        edits.last_done = time.monotonic()
    return edits


def revisions(http: httpx.Client, article_id: int) -> list[dict[str, object]]:
    """Every revision of the article, newest first, following the cursor."""
    found: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100}
        if cursor is not None:
            params["cursor"] = cursor
        response = http.get(f"/v1/manage/articles/{article_id}/revisions", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "database":
        yield "database"
        return
    # The Redis store needs Redis: skipped with the reason if it is unreachable (failed in CI).
    sync_redis: redis.Redis = request.getfixturevalue("sync_redis")
    yield "redis"
    assert not sync_redis.exists(PENDING), "views left buffered after shutdown"
    assert list(sync_redis.scan_iter(match=f"{FLUSHING}*")) == []


def test_ten_thousand_concurrent_beacons_are_counted_exactly_while_an_editor_saves(
    database_url: str,
    session: Session,
    store: str,
    tmp_path: Path,
) -> None:
    article = factories.article(session)
    article_id = ident(article)
    slug = article.slug
    secret = factories.make_token(session, "content:write")
    log = tmp_path / "server.log"

    with (
        running_server(server_environment(database_url, store), log, workers=2) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}) as http,
    ):
        initial = len(revisions(http, article_id))
        assert initial >= 1

        go = threading.Event()
        edits = Edits()

        def editor() -> None:
            nonlocal edits
            edits = edit(base, secret, article_id, go)

        editor_thread = threading.Thread(target=editor)
        editor_thread.start()
        timer = threading.Timer(0.3, go.set)  # the editor starts once beacons are flowing
        timer.start()
        try:
            beacons = send_beacons(base, slug)
        finally:
            go.set()
            timer.cancel()
            editor_thread.join()

        # Every beacon accepted: no 5xx, no "database is locked", no dropped connection.
        assert beacons.statuses == Counter({202: BEACONS}), (
            beacons.statuses,
            beacons.failures[:5],
        )
        # The editor worked while the beacons did, and lost nothing.
        assert edits.first_sent < beacons.finished
        assert beacons.started < edits.last_done
        assert not [s for s in edits.statuses if s >= 500], edits.failures[:5]
        assert edits.statuses == [200] * EDITS, edits.failures[:5]
        final = http.get(f"/v1/manage/articles/{article_id}")
        assert final.status_code == 200, final.text
        assert final.json()["headline"] == edits.succeeded[-1]
        history = revisions(http, article_id)
        assert len(history) == initial + len(edits.succeeded)
        latest = http.get(f"/v1/manage/articles/{article_id}/revisions/{len(history)}")
        assert latest.json()["content"]["headline"] == edits.succeeded[-1]

        # Every view counted, exactly once, each visitor once (for Redis, once flushed).
        deadline = time.monotonic() + 20
        while (counted := stored_views(session, article_id)) < COUNTED:
            assert time.monotonic() < deadline, f"only {counted} of {COUNTED} views arrived"
            time.sleep(0.1)
        time.sleep(3 * FLUSH_SECONDS if store == "redis" else 0)
        assert stored_views(session, article_id) == COUNTED
        popular = http.get("/v1/popular", params={"window": "24h"})
        assert popular.status_code == 200, popular.text
        listed = {item["id"]: item["views"] for item in popular.json()["items"]}
        assert listed == {article_id: COUNTED}
        # Whichever worker answers a scrape, it counts the beacons both workers took.
        for _ in range(4):
            with httpx.Client(base_url=base) as fresh_connection:
                scraped = metric_samples(fresh_connection.get("/metrics").text)
            assert scraped[("byline_page_views_total", (("outcome", "counted"),))] == COUNTED
            repeats = scraped[("byline_page_views_total", (("outcome", "repeat"),))]
            assert repeats == VISITOR_BEACONS - VISITORS

    # Shutting down (the Redis store's last flush) adds nothing more.
    assert stored_views(session, article_id) == COUNTED
    output = log.read_text()
    assert "database is locked" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
