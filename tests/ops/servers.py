"""Byline served by `byline serve` with several workers, for the fault tests.

Each served Byline has a database of its own (an SQLite file, or a scratch schema
on the test PostgreSQL), migrated and given an editor's token through the CLI as an
operator would, and a published article to send beacons to.
"""

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.db import create_db_engine
from tests.conftest import postgres_schema
from tests.manage.support import MANAGE, article_body, bearer
from tests.popularity.support import BROWSER_UA
from tests.processes import Server, free_port, run, serving

BIN = Path(sys.executable).parent


@contextmanager
def scratch_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of its own on the backend, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'byline.sqlite3'}"
        return
    with postgres_schema() as url:
        yield url


@dataclass
class Served:
    server: Server
    token: str
    database_url: str

    @property
    def url(self) -> str:
        return self.server.url

    def editor(self, timeout: float) -> httpx.Client:
        """A client holding the editor's token, as a newsroom tool would."""
        return httpx.Client(base_url=self.url, headers=bearer(self.token), timeout=timeout)

    def workers(self) -> set[int]:
        """The worker processes the server runs now (its children that serve requests)."""
        parent = self.server.process.pid
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        return {int(pid) for pid in children if _is_worker(int(pid))}

    def publish_article(self) -> tuple[int, str]:
        """A published article's id and slug, created through the management API."""
        with self.editor(timeout=10) as editor:
            created = editor.post(f"{MANAGE}/articles", json=article_body())
            assert created.status_code == 201, created.text
            record = created.json()
            published = editor.post(
                f"{MANAGE}/articles/{record['id']}/publish",
                headers={"If-Match": created.headers["etag"]},
            )
            assert published.status_code == 200, published.text
        return record["id"], record["slug"]

    def query(self, sql: str, **params: object) -> list[tuple[Any, ...]]:
        """Rows read directly from the database, past the server."""
        engine = create_db_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql), params)]
        finally:
            engine.dispose()

    def stored_views(self, article_id: int) -> int:
        """The views the database holds for the article."""
        [(views,)] = self.query(
            "SELECT coalesce(sum(views), 0) FROM view_buckets WHERE article_id = :a", a=article_id
        )
        assert isinstance(views, int)
        return views


def _is_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it ended while we looked
        return False
    # uvicorn spawns its workers through multiprocessing; anything else is not one.
    return b"spawn_main" in command


def beacon(client: httpx.Client, slug: str, visitor_id: str) -> httpx.Response:
    """A page view as navigator.sendBeacon sends it, from a browser."""
    return client.post(
        f"/v1/articles/{slug}/views",
        content='{"visitor_id": "' + visitor_id + '"}',
        headers={"Content-Type": "text/plain;charset=UTF-8", "User-Agent": BROWSER_UA},
    )


def server_environment(
    database_url: str, port: int, settings: Mapping[str, str] = {}
) -> dict[str, str]:
    """What `byline` needs to serve the database on the port, quietly.

    Neither beacons nor management requests are rate limited: the tests send them all
    from one address, faster than any newsroom.
    """
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warning",
        "VIEWS_PER_MINUTE_PER_CLIENT": "0",
        "MANAGE_REQUESTS_PER_MINUTE_PER_CLIENT": "0",
        **settings,
    }


def editor_token(environment: Mapping[str, str], directory: Path) -> str:
    """A token that may write and publish, made as an operator makes one: the command
    prints its secret on its second line."""
    created = run(
        [
            *("byline", "tokens", "create", "--name", "editor"),
            *("--scope", "content:write", "--scope", "content:publish"),
        ],
        env=environment,
        cwd=directory,
    )
    return created.splitlines()[1]


@contextmanager
def served(
    database_url: str, directory: Path, *, workers: int = 2, settings: Mapping[str, str] = {}
) -> Iterator[Served]:
    """`byline serve --workers N` on a free port, on a freshly migrated database."""
    port = free_port()
    environment = server_environment(database_url, port, settings)
    run(["byline", "migrate"], env=environment, cwd=directory)
    token = editor_token(environment, directory)
    command = ["byline", "serve", "--workers", str(workers)]
    with serving(command, env=environment, cwd=directory, port=port) as server:
        yield Served(server, token, database_url)
