"""`byline serve` writes one log format: JSON lines, uvicorn's own lines included."""

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app import logs
from tests.helpers import ROOT, running_server

FIELDS = {"time", "level", "logger", "message"}


@pytest.mark.parametrize("workers", [1, 2])
def test_every_line_the_server_writes_is_json(tmp_path: Path, workers: int) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'byline.sqlite3'}", "LOG_LEVEL": "info"}
    subprocess.run(
        [str(Path(sys.executable).with_name("byline")), "migrate"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=True,
    )
    log = tmp_path / "server.log"

    with running_server(env, log, workers=workers) as base:
        assert httpx.get(f"{base}/no-such-page").status_code == 404

    lines = log.read_text().splitlines()
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert all(set(entry) >= FIELDS for entry in entries), entries
    uvicorn = [entry["message"] for entry in entries if entry["logger"].startswith("uvicorn")]
    # Startup and shutdown, from the server and from each worker.
    assert [m for m in uvicorn if m.startswith("Uvicorn running on")], uvicorn
    assert len([m for m in uvicorn if m == "Application startup complete."]) == workers
    assert len([m for m in uvicorn if m.startswith("Finished server process")]) == workers
    requests = [entry for entry in entries if entry["logger"] == "byline.access"]
    assert [entry["path"] for entry in requests if entry["status"] == 404] == ["/no-such-page"]


@pytest.fixture(autouse=True)
def access_lines_on() -> Iterator[None]:
    """Info level for these tests, whatever level earlier ones configured (setLevel also
    clears logging's cache of what each logger lets through)."""
    logger = logging.getLogger("byline")
    before = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(before)


def test_access_lines_of_one_loop_turn_are_written_together_and_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    monkeypatch.setattr(logs, "_handlers", [handler])

    async def two_requests() -> str:
        logs.access_log("first", "GET", "/v1/articles", 200, 0.001)
        logs.access_log("second", "HEAD", "/v1/articles/a", 304, 0.002)
        written_during_the_turn = stream.getvalue()
        await asyncio.sleep(0)  # the turn ends
        return written_during_the_turn

    assert asyncio.run(two_requests()) == ""
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["request_id"], e["method"], e["status"]) for e in entries] == [
        ("first", "GET", 200),
        ("second", "HEAD", 304),
    ]
    assert all(e["logger"] == "byline.access" and e["message"] == "request" for e in entries)


def test_access_lines_outside_a_loop_are_written_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(logs, "_handlers", [logging.StreamHandler(stream)])

    logs.access_log("alone", "GET", "/healthz", 200, 0.001)

    assert json.loads(stream.getvalue())["request_id"] == "alone"


def test_access_lines_left_by_a_loop_that_ended_are_written_by_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(logs, "_handlers", [logging.StreamHandler(stream)])

    def one_request(request_id: str) -> None:
        logs.access_log(request_id, "GET", "/v1/articles", 200, 0.001)

    ended = asyncio.new_event_loop()
    ended.call_soon(one_request, "stranded")
    ended.call_soon(ended.stop)  # the loop stops in that turn, before the flush it scheduled
    ended.run_forever()
    ended.close()
    assert stream.getvalue() == ""

    async def next_request() -> None:
        one_request("next")

    asyncio.run(next_request())

    assert [json.loads(line)["request_id"] for line in stream.getvalue().splitlines()] == [
        "stranded",
        "next",
    ]
