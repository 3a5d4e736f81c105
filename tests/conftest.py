"""Every test runs once on SQLite and once on PostgreSQL, against a migrated database.

The PostgreSQL run uses a schema of its own inside the test database, so runs
never see each other's rows. Where PostgreSQL is unreachable the PostgreSQL
half is skipped with the reason, except under CI=true, where that fails.
"""

import dataclasses
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.config import Settings
from app.container import Services, attach_services, services_of
from app.db import create_db_engine
from app.main import create_app
from app.migrate import downgrade, upgrade
from app.models import metadata
from app.models.base import utcnow

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]

# CI replays the same generated examples on every run, so a red build points at
# the change that caused it and reruns the same way; local runs keep exploring.
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis.settings.load_profile("ci")


class Clock:
    """Real time unless a test pins it."""

    def __init__(self) -> None:
        self.pinned: datetime | None = None

    def __call__(self) -> datetime:
        return self.pinned or datetime.now(UTC)


def _postgres_server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_reason_unreachable(url: str) -> str | None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(conninfo, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL unreachable at {url}: {str(exc).strip().splitlines()[0]}"
    return None


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "byline.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    with postgres_schema() as url:
        # Down and up again: every run proves the migration reverses cleanly.
        upgrade(url)
        downgrade(url)
        upgrade(url)
        yield url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of an empty schema of its own on the test server, dropped afterwards."""
    server = _postgres_server_url()
    reason = _postgres_reason_unreachable(server)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires PostgreSQL)")
        pytest.skip(reason)
    schema = f"byline_test_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema, for tests of migrating one."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@contextmanager
def own_app_client(
    settings: Settings, *, clock: Callable[[], datetime] = utcnow
) -> Iterator[TestClient]:
    """A client of an app of its own with these settings, started and shut down as a server is."""
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def app_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        image_dir=tmp_path_factory.mktemp("media"),
        image_staging_dir=tmp_path_factory.mktemp("staging"),
        log_level="warning",
        # Tests count views from one client and need rankings as of each request;
        # the tests of rate limiting and ranking caching set their own.
        views_per_minute_per_client=0,
        manage_requests_per_minute_per_client=0,
        popular_cache_seconds=0,
    )


@pytest.fixture(scope="session")
def app(app_settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    application = create_app(app_settings, clock=clock)
    yield application
    services_of(application).close()


@pytest.fixture
def engine(app: FastAPI, clock: Clock) -> Iterator[Engine]:
    engine = services_of(app).engine
    yield engine
    clock.pinned = None
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def replace_services(app: FastAPI) -> Iterator[Callable[..., Services]]:
    """Swap some of the shared app's services for one test: `replace_services(rankings=...)`."""
    original = services_of(app)

    def replace(**changes: Any) -> Services:
        replaced = dataclasses.replace(original, **changes)
        attach_services(app, replaced)
        return replaced

    yield replace
    attach_services(app, original)
