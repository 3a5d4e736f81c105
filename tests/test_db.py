"""Engines: the server's bound each statement, the operator's commands are not cut short."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from app.db import SQLITE_BUSY_TIMEOUT_MS, DatabaseLimits, create_db_engine
from app.errors import DatabaseUnavailable, database_outage

SERVED = DatabaseLimits(statement_timeout_seconds=0.25)


def statement_bound(engine: Engine) -> str:
    """PostgreSQL's statement_timeout, or SQLite's busy timeout in milliseconds."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return str(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
        return str(connection.exec_driver_sql("SHOW statement_timeout").scalar())


@pytest.fixture
def served(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url, limits=SERVED)
    yield engine
    engine.dispose()


@pytest.fixture
def command(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def test_the_server_bounds_each_statement(served: Engine) -> None:
    assert statement_bound(served) == ("250" if served.dialect.name == "sqlite" else "250ms")


def test_an_operator_command_has_no_statement_timeout(command: Engine) -> None:
    """Migrations, rebuilds and compactions may rightly run a statement for minutes."""
    sqlite = command.dialect.name == "sqlite"
    assert statement_bound(command) == (str(SQLITE_BUSY_TIMEOUT_MS) if sqlite else "0")


def test_a_statement_over_the_timeout_is_an_outage_and_the_url_keeps_its_options(
    served: Engine,
) -> None:
    if served.dialect.name == "sqlite":
        pytest.skip("SQLite bounds only the wait for its write lock")
    with served.connect() as connection:
        # The test URL's own options (its schema) still apply beside the timeout.
        assert "byline_test_" in str(connection.exec_driver_sql("SHOW search_path").scalar())
        with pytest.raises(OperationalError) as raised:
            connection.exec_driver_sql("SELECT pg_sleep(5)")
    assert isinstance(database_outage(raised.value), DatabaseUnavailable)
