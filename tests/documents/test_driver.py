"""DriverReads: the hot reads, inline on SQLite and on asyncpg for PostgreSQL."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import DatabaseLimits, create_db_engine
from app.documents.driver import CompiledRead, DatabaseUnreachable, DriverReads, sqlite_time
from app.models import PublishedArticle
from app.models.base import UTCDateTime
from tests import factories

_table = PublishedArticle.__table__  # type: ignore[attr-defined]
_VISIBLE = (_table.c.slug == bindparam("slug")) & (_table.c.published_at <= bindparam("now"))
_ROW = select(
    _table.c.article_id,
    _table.c.document,
    _table.c.etag,
    _table.c.surrogate_keys,
    _table.c.published_at,
    _table.c.slug,
).where(_VISIBLE)


@pytest.fixture
def driver(engine: Engine) -> Iterator[DriverReads]:
    reads = DriverReads(engine)
    yield reads
    reads.close()


def _fetch(driver: DriverReads, statement: Any, **values: Any) -> list[Any]:
    async def run() -> list[Any]:
        try:
            return await driver.fetch(driver.compile(statement), values)
        finally:
            await driver.aclose()

    return asyncio.run(run())


def _visible(driver: DriverReads, slug: str) -> dict[str, Any]:
    return {"slug": slug, "now": driver.time(datetime.now(UTC))}


def test_rows_have_the_types_every_database_gives(driver: DriverReads, session: Session) -> None:
    art = factories.article(session, slug="same-on-both")
    reader_columns = _ROW.with_only_columns(*list(_ROW.selected_columns)[:4])

    [row] = _fetch(driver, reader_columns, **_visible(driver, "same-on-both"))

    article_id, document, etag, surrogate_keys = row
    assert type(row) is tuple
    assert (type(article_id), type(document), type(etag), type(surrogate_keys)) == (
        int,
        bytes,
        str,
        str,
    )
    assert article_id == art.id
    assert document.startswith(b"{")
    assert b'"same-on-both"' in document
    assert f"article:{art.id}" in surrogate_keys.split()


def test_rows_are_what_the_engines_own_driver_returns(
    driver: DriverReads, engine: Engine, session: Session
) -> None:
    factories.article(session, slug="as-psycopg-reads-it")
    values = _visible(driver, "as-psycopg-reads-it")
    # The engine's own driver (psycopg or sqlite3), compiled and given its time as before.
    own = CompiledRead(_ROW, engine.dialect)
    own_time = UTCDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
    assert own_time is not None
    own_values = {"slug": "as-psycopg-reads-it", "now": own_time(datetime.now(UTC))}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(own.sql, own.params(own_values))
        expected = cursor.fetchall()
    finally:
        connection.close()

    rows = _fetch(driver, _ROW, **values)

    assert rows == [tuple(row) for row in expected]
    assert [type(value) for value in rows[0]] == [type(value) for value in expected[0]]


def test_a_draft_is_not_read(driver: DriverReads, session: Session) -> None:
    factories.scheduled(session, slug="not-yet")

    assert _fetch(driver, _ROW, **_visible(driver, "not-yet")) == []


def test_values_fixed_in_the_statement_are_not_given(driver: DriverReads, session: Session) -> None:
    first = factories.article(session)
    factories.article(session)
    statement = select(_table.c.article_id).order_by(_table.c.article_id).limit(1)

    assert _fetch(driver, statement) == [(first.id,)]


def test_concurrent_reads_share_a_few_connections(driver: DriverReads, session: Session) -> None:
    slugs = [factories.article(session).slug for _ in range(5)]
    read = driver.compile(_ROW.with_only_columns(_table.c.slug))

    async def run() -> list[list[Any]]:
        try:
            return await asyncio.gather(
                *(driver.fetch(read, _visible(driver, slugs[i % 5])) for i in range(60))
            )
        finally:
            await driver.aclose()

    assert asyncio.run(run()) == [[(slugs[i % 5],)] for i in range(60)]


# PostgreSQL only: the connections asyncpg holds.


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("asyncpg connections are PostgreSQL's")
    return database_url


@pytest.fixture
def named_driver(postgres_url: str) -> Iterator[tuple[DriverReads, str]]:
    """A driver whose connections carry a name of their own, counted on the server."""
    name = f"byline_driver_{uuid.uuid4().hex[:12]}"
    named = create_db_engine(f"{postgres_url}&application_name={name}")
    reads = DriverReads(named)
    yield reads, name
    reads.close()
    named.dispose()


def _connections(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        return int(connection.execute(query, {"name": name}).scalar_one())


def _until_closed(engine: Engine, name: str) -> int:
    # The server forgets a backend a moment after its client says goodbye.
    for _ in range(100):
        count = _connections(engine, name)
        if count == 0:
            break
        time.sleep(0.02)
    return count


_BACKEND = select(func.pg_backend_pid(), func.current_setting("search_path"))


def test_the_search_path_of_the_url_is_honoured(postgres_url: str) -> None:
    schema = postgres_url.rsplit("%3D", 1)[1]
    driver = DriverReads(create_db_engine(postgres_url))
    try:
        [(_, search_path)] = _fetch(driver, _BACKEND)
    finally:
        driver.close()

    assert search_path == schema


def test_aclose_closes_the_connections(
    named_driver: tuple[DriverReads, str], engine: Engine
) -> None:
    driver, name = named_driver
    read = driver.compile(_BACKEND)

    async def run() -> tuple[int, int]:
        pids = await asyncio.gather(*(driver.fetch(read, {}) for _ in range(40)))
        open_while_serving = _connections(engine, name)
        await driver.aclose()
        return len({rows[0][0] for rows in pids}), open_while_serving

    backends, open_while_serving = asyncio.run(run())

    assert 1 <= backends <= DatabaseLimits().pool_size
    assert open_while_serving == backends
    assert _until_closed(engine, name) == 0


def test_each_event_loop_has_connections_of_its_own_closed_when_it_ends(
    named_driver: tuple[DriverReads, str], engine: Engine
) -> None:
    driver, name = named_driver
    read = driver.compile(_BACKEND)

    async def backend() -> int:
        rows = await driver.fetch(read, {})
        return int(rows[0][0])

    first = asyncio.run(backend())
    assert _until_closed(engine, name) == 0
    second = asyncio.run(backend())

    assert first != second
    assert _until_closed(engine, name) == 0


def test_an_unreachable_database_is_named_in_the_error() -> None:
    driver = DriverReads(create_db_engine("postgresql+psycopg://reader:secret@127.0.0.1:1/news"))
    statement = select(func.now())

    with pytest.raises(DatabaseUnreachable, match=r"127\.0\.0\.1:1/news did not answer") as error:
        _fetch(driver, statement)

    assert "secret" not in str(error.value)


@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    )
)
def test_sqlite_time_writes_what_sqlalchemy_stores(moment: datetime) -> None:
    dialect = sqlite.dialect()
    stored = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert stored is not None
    assert sqlite_time(moment) == stored(moment)


def test_sqlite_time_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2026, 1, 1))
