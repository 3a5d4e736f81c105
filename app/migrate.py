"""Programmatic Alembic entry points used by the CLI and the tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from app.db import create_db_engine

PACKAGE = Path(__file__).resolve().parent
# An installed wheel carries the migrations as app/migrations (see pyproject.toml);
# a checkout keeps them beside app/.
SCRIPT_LOCATIONS = (PACKAGE / "migrations", PACKAGE.parent / "migrations")

# Every process migrating a PostgreSQL database takes this advisory lock first, so
# replicas started together run the migrations one after another, and the later ones
# find the schema at head and do nothing. The number only has to be Byline's own.
MIGRATION_LOCK_KEY = 0x6279_6C69_6E65


def script_location() -> Path:
    for candidate in SCRIPT_LOCATIONS:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no Alembic environment in {' or '.join(map(str, SCRIPT_LOCATIONS))}")


def head_revision() -> str | None:
    """The revision `upgrade()` migrates to; None before the first migration exists."""
    return ScriptDirectory(str(script_location())).get_current_head()


def _alembic_config(connection: Connection) -> Config:
    # No alembic.ini: it lives in the checkout for the alembic command, not in the wheel.
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_connection(database_url: str) -> Iterator[Connection]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                yield connection
                return
            lock = {"key": MIGRATION_LOCK_KEY}
            connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)
            # The lock belongs to the session and outlives this transaction; ending it
            # lets Alembic run its own.
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
                connection.commit()
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    with _migration_connection(database_url) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    with _migration_connection(database_url) as connection:
        command.downgrade(_alembic_config(connection), revision)
