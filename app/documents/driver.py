"""Reads on the database driver itself, for the public reads every page view makes.

Going through a Session and FastAPI's thread pool costs several times an indexed
lookup, so the hot reads are SQLAlchemy Core statements compiled once per dialect
and run on a raw driver connection: inline on the event loop for SQLite (a local
file read in WAL mode takes microseconds and never waits on a writer), and in one
thread hop for a networked database, where a round trip must not stall the loop.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.pool import PoolProxiedConnection
from starlette.concurrency import run_in_threadpool

from app.models.base import UTCDateTime


class CompiledRead:
    """A statement compiled once; its parameters are given by name at each run."""

    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup if compiled.positional else None

    def params(self, values: dict[str, Any]) -> Any:
        return values if self.positions is None else [values[n] for n in self.positions]


class DriverReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The dialect's own processor: on SQLite it writes the exact text SQLAlchemy
        # stores, so string comparison agrees to the microsecond.
        bind = UTCDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self._time: Callable[[datetime], Any] = bind or (lambda value: value)
        self._inline = engine.dialect.name == "sqlite"
        self._connection: PoolProxiedConnection | None = None

    def compile(self, statement: Select[Any]) -> CompiledRead:
        return CompiledRead(statement, self.engine)

    def time(self, value: datetime) -> Any:
        """A datetime as this driver must receive it to compare with stored ones."""
        return self._time(value)

    async def fetch(self, read: CompiledRead, values: dict[str, Any]) -> list[Any]:
        params = read.params(values)
        if self._inline:
            return self._fetch_inline(read.sql, params)
        return await run_in_threadpool(self._fetch_pooled, read.sql, params)

    def _fetch_inline(self, sql: str, params: Any) -> list[Any]:
        # One connection per process, used only from the event loop's thread.
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        try:
            return _fetch(self._connection, sql, params)
        except Exception:
            self.close()
            raise

    def _fetch_pooled(self, sql: str, params: Any) -> list[Any]:
        connection = self.engine.raw_connection()
        try:
            return _fetch(connection, sql, params)
        finally:
            connection.close()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _fetch(connection: Any, sql: str, params: Any) -> list[Any]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()
