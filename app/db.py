"""Engine construction for SQLite (WAL, its own BEGIN) and PostgreSQL."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from app.config import Settings

WRITE_OPTION = "byline_write"


def _setting_default(name: str) -> Any:
    return Settings.model_fields[name].default


# How long an SQLite writer waits for the write lock when no statement timeout is set.
SQLITE_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class DatabaseLimits:
    """What one worker may ask of a database, and how long it waits for it.

    The server builds them from Settings. The defaults are the settings' own, but for
    the statement timeout: none, for the commands an operator runs (migrations,
    rebuilds, imports, compactions), whose statements may rightly take minutes.
    """

    statement_timeout_seconds: float | None = None
    connect_timeout_seconds: int = _setting_default("database_connect_timeout_seconds")
    # Connections for sessions, and again for the hot reads on PostgreSQL.
    pool_size: int = _setting_default("database_pool_size")
    max_overflow: int = _setting_default("database_max_overflow")
    pool_timeout_seconds: float = _setting_default("database_pool_timeout_seconds")

    @classmethod
    def from_settings(cls, settings: Settings) -> "DatabaseLimits":
        return cls(
            statement_timeout_seconds=settings.database_statement_timeout_seconds,
            connect_timeout_seconds=settings.database_connect_timeout_seconds,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout_seconds=settings.database_pool_timeout_seconds,
        )

    @property
    def statement_timeout_ms(self) -> int | None:
        seconds = self.statement_timeout_seconds
        return None if seconds is None else round(seconds * 1000)


def _sqlite_configurer(limits: DatabaseLimits) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers run while a writer commits; the busy timeout makes a
        # second writer wait instead of failing with "database is locked", for as
        # long as PostgreSQL would let a statement run.
        # The driver's own BEGIN is turned off: _begin_sqlite emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        busy_timeout = limits.statement_timeout_ms or SQLITE_BUSY_TIMEOUT_MS
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return configure


def _begin_sqlite(connection: Connection) -> None:
    # A write transaction takes the write lock up front (IMMEDIATE), so it
    # waits its turn instead of failing when another writer commits between
    # its first read and its first write.
    mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def _postgres_options(url: URL, limits: DatabaseLimits) -> str:
    """The `options` of the startup message: the statement timeout, then the URL's own
    options, so that a statement_timeout set in the URL wins."""
    given = url.query.get("options", "")
    own = given if isinstance(given, str) else " ".join(given)
    if limits.statement_timeout_ms is None:
        return own
    return f"-c statement_timeout={limits.statement_timeout_ms} {own}".strip()


def create_db_engine(database_url: str, *, limits: DatabaseLimits | None = None) -> Engine:
    limits = limits or DatabaseLimits()
    url = make_url(database_url)
    pool = {
        "pool_size": limits.pool_size,
        "max_overflow": limits.max_overflow,
        "pool_timeout": limits.pool_timeout_seconds,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            pool = {}  # one connection, held by the process: the database is in it
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_configurer(limits))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    connect_args: dict[str, Any] = {}
    if options := _postgres_options(url, limits):
        connect_args["options"] = options
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = limits.connect_timeout_seconds
    # Pre-ping: a connection left from before a server restart is replaced before use,
    # so the first requests after it succeed.
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, **pool)
