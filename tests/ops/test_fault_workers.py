"""`kill -9` of a worker while editors save and readers send beacons.

Requests in flight on the killed worker lose their connection; that is expected. What
must hold: every save and view that was acknowledged is in the database, a save that
got no answer is there whole or not at all, nothing answers 5xx, and the server starts
a new worker in place of the dead one.
"""

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.manage.support import MANAGE, article_body
from tests.ops.servers import Served, beacon, scratch_database, served

WRITERS = 4
READERS = 4
LOAD_BEFORE_KILL_SECONDS = 1.5
LOAD_AFTER_REPLACEMENT_SECONDS = 2.0
REPLACED_WITHIN_SECONDS = 15
# What a client sees of a request that was on the killed worker.
CUT_OFF = "cut off"
Outcome = int | str  # the status, or CUT_OFF


@pytest.fixture(params=["sqlite", "postgresql"])
def byline(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    with (
        scratch_database(request.param, tmp_path) as database_url,
        served(database_url, tmp_path) as server,
    ):
        yield server


def send(request: Callable[[], httpx.Response]) -> tuple[Outcome, httpx.Response | None]:
    try:
        response = request()
    except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        return CUT_OFF, None
    return response.status_code, response


def test_a_killed_worker_loses_nothing_acknowledged_and_is_replaced(byline: Served) -> None:
    article_id, slug = byline.publish_article()
    stop = threading.Event()
    saves: dict[str, tuple[Outcome, int | None]] = {}  # slug -> outcome, id when created
    views: list[Outcome] = []

    def save(writer: int) -> None:
        with byline.editor(timeout=10) as editor:
            number = 0
            while not stop.is_set():
                number += 1
                marker = f"killed-worker-{writer}-{number}"
                body = article_body(slug=marker)
                outcome, response = send(partial(editor.post, f"{MANAGE}/articles", json=body))
                created = response.json()["id"] if outcome == 201 and response else None
                saves[marker] = (outcome, created)

    def read(reader: int) -> None:
        with httpx.Client(base_url=byline.url, timeout=10) as client:
            number = 0
            while not stop.is_set():
                number += 1
                visitor = f"reader-{reader}-{number}"
                views.append(send(partial(beacon, client, slug, visitor))[0])

    before = byline.workers()
    assert len(before) == 2, before
    with ThreadPoolExecutor(WRITERS + READERS) as pool:
        load = [pool.submit(save, w) for w in range(WRITERS)]
        load += [pool.submit(read, r) for r in range(READERS)]
        time.sleep(LOAD_BEFORE_KILL_SECONDS)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        while (now := byline.workers()) == before or len(now) < 2:
            assert time.monotonic() - killed_at < REPLACED_WITHIN_SECONDS, now
            time.sleep(0.1)
        replaced_after = time.monotonic() - killed_at
        time.sleep(LOAD_AFTER_REPLACEMENT_SECONDS)
        stop.set()
        for done in load:
            done.result()

    assert victim not in now, (before, now)
    print(f"worker replaced after {replaced_after:.2f} s; {len(saves)} saves, {len(views)} views")
    outcomes = [outcome for outcome, _ in saves.values()]
    assert set(outcomes) <= {201, CUT_OFF}, outcomes
    assert set(views) <= {202, CUT_OFF}, views
    # The load ran on both sides of the kill, and the new worker took its share.
    assert outcomes.count(201) > WRITERS
    assert views.count(202) > READERS

    stored: dict[str, int] = dict(
        byline.query(
            "SELECT a.slug, count(r.id) FROM articles a "
            "LEFT JOIN article_revisions r ON r.article_id = a.id "
            "WHERE a.slug LIKE 'killed-worker-%' GROUP BY a.slug"
        )
    )
    acknowledged = {marker for marker, (outcome, _) in saves.items() if outcome == 201}
    cut_off = {marker for marker, (outcome, _) in saves.items() if outcome == CUT_OFF}
    assert acknowledged <= set(stored)
    assert set(stored) <= acknowledged | cut_off
    # Whatever is there is whole: an article with its first revision.
    assert set(stored.values()) == {1}, stored

    counted = byline.stored_views(article_id)
    assert views.count(202) <= counted <= views.count(202) + views.count(CUT_OFF)
    print(
        f"saves: {len(acknowledged)} acknowledged, {len(cut_off)} cut off "
        f"({len(set(stored) & cut_off)} of them stored); views: {views.count(202)} "
        f"acknowledged, {views.count(CUT_OFF)} cut off, {counted} counted"
    )

    # The server answers as before, through either worker.
    with byline.editor(timeout=5) as editor:
        for marker, (_, created) in saves.items():
            if created is not None:
                read_back = editor.get(f"{MANAGE}/articles/{created}")
                assert read_back.status_code == 200, read_back.text
                assert read_back.json()["slug"] == marker
