"""`byline serve` writes one log format: JSON lines, uvicorn's own lines included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

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
