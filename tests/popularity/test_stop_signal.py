"""The container's command stops on SIGTERM with a final flush of the views Redis holds.

`docker stop` sends SIGTERM to PID 1 and kills it 10 s later. The server must be the
process that receives it: a shell left in between would take the signal and leave
the views buffered in Redis uncounted.
"""

import os
import sqlite3
import sys
from pathlib import Path

import httpx
import redis

from app.popularity.stores import PENDING
from tests import dockerfile
from tests.popularity.support import BROWSER_UA, REDIS_URL
from tests.processes import free_port, run, serving


def test_a_stop_signal_to_the_container_command_flushes_the_views(
    sync_redis: redis.Redis, tmp_path: Path
) -> None:
    database = tmp_path / "byline.sqlite3"
    port = free_port()
    environment = {
        **os.environ,
        # The image's venv is on PATH there; here the test run's is.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{database}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "VIEW_STORE": "redis",
        "REDIS_URL": REDIS_URL,
        # Longer than the test: only the flush at shutdown can move the view.
        "VIEW_FLUSH_SECONDS": "60",
        "LOG_LEVEL": "warning",
    }
    run(["byline", "migrate"], env=environment, cwd=tmp_path)
    run(["byline", "load-demo"], env=environment, cwd=tmp_path)

    with serving(dockerfile.command(), env=environment, cwd=tmp_path, port=port) as server:
        slug = httpx.get(f"{server.url}/v1/articles?limit=1").json()["items"][0]["slug"]
        counted = httpx.post(
            f"{server.url}/v1/articles/{slug}/views", headers={"User-Agent": BROWSER_UA}
        )
        assert counted.status_code == 202
        assert sync_redis.exists(PENDING)

        server.stop()

    assert not sync_redis.exists(PENDING)
    with sqlite3.connect(database) as connection:
        [(views,)] = connection.execute("SELECT sum(views) FROM view_buckets").fetchall()
    assert views == 1
