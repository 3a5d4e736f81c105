"""Reads on the database driver itself, for the public reads every page view makes.

Going through a Session and FastAPI's thread pool costs several times an indexed
lookup, so the hot reads are SQLAlchemy Core statements compiled once per dialect
and run on a raw driver connection. On SQLite that runs inline on the event loop:
a local file read in WAL mode takes microseconds and never waits on a writer. On
PostgreSQL a round trip must not stall the loop, and a thread hop per read cost
more than the read, so the reads run on asyncpg, awaited on the loop itself, as
prepared statements on connections of their own.

Nothing here caches a result: every read is one query, so a write committed by
any process is seen by the next read.
"""

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

# asyncpg ships no type information; its connections are used only through _Connections.
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import URL, BindParameter, Dialect, Engine, Integer, Select, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import PoolProxiedConnection

from app.db import DatabaseLimits
from app.models.base import UTCDateTime


class DatabaseUnreachable(ConnectionError):
    """The reads could not reach the database; the message names it, without a password."""


def sqlite_time(value: datetime) -> str:
    """An aware datetime as the UTC text SQLAlchemy's SQLite DateTime stores, so that
    string comparison with stored times agrees to the microsecond."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class CompiledRead:
    """A statement compiled once; its parameters are given by name at each run."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup if compiled.positional else None
        # Values the statement fixes itself, such as LIMIT 1, are not given at each run.
        self.fixed = {
            name: value
            for name, value in compiled.params.items()
            if not compiled.binds[name].required
        }

    def params(self, values: dict[str, Any]) -> Any:
        if self.fixed:
            values = self.fixed | values
        return values if self.positions is None else [values[n] for n in self.positions]


class ReadByIds:
    """A statement over a list of ids, compiled once per list length.

    `statement` gets one bound parameter per id; lists are short (a page's worth),
    so the compiled statements stay few.
    """

    def __init__(
        self, driver: "DriverReads", statement: Callable[[list[BindParameter[int]]], Select[Any]]
    ) -> None:
        self.driver = driver
        self.statement = statement
        self._reads: dict[int, CompiledRead] = {}

    async def fetch(self, ids: Sequence[int], values: dict[str, Any]) -> list[Any]:
        read = self._reads.get(len(ids))
        if read is None:
            params = [bindparam(f"id{i}", type_=Integer) for i in range(len(ids))]
            read = self._reads[len(ids)] = self.driver.compile(self.statement(params))
        values = {**values, **{f"id{i}": ident for i, ident in enumerate(ids)}}
        return await self.driver.fetch(read, values)


class _Connection(Protocol):
    async def fetch(self, sql: str, params: Any) -> list[Any]: ...

    async def aclose(self) -> None: ...

    def close(self) -> None: ...


class DriverReads:
    def __init__(self, engine: Engine, *, limits: DatabaseLimits | None = None) -> None:
        self.engine = engine
        self._connection: _Connection
        if engine.dialect.name == "sqlite":
            self._dialect: Dialect = engine.dialect
            self._connection = _InlineSQLite(engine)
        else:
            # Compiled for asyncpg: $1 placeholders, and casts where a type needs one.
            # (SQLAlchemy's dialect constructors carry no annotations.)
            self._dialect = PGDialect_asyncpg()  # type: ignore[no-untyped-call]
            self._connection = _AsyncpgReads(engine.url, limits or DatabaseLimits())
        # On PostgreSQL the dialect's own processor gives the naive UTC datetime a
        # timestamp column holds. On SQLite, sqlite_time writes the text SQLAlchemy
        # stores in a fifth of the processor's time (a test holds the two equal).
        bind = UTCDateTime().dialect_impl(self._dialect).bind_processor(self._dialect)
        self._time: Callable[[datetime], Any] = (
            sqlite_time if engine.dialect.name == "sqlite" else bind or (lambda value: value)
        )

    def compile(self, statement: Select[Any]) -> CompiledRead:
        return CompiledRead(statement, self._dialect)

    def time(self, value: datetime) -> Any:
        """A datetime as this driver must receive it to compare with stored ones."""
        return self._time(value)

    async def fetch(self, read: CompiledRead, values: dict[str, Any]) -> list[Any]:
        """The rows as tuples of what the driver gives: on PostgreSQL, as psycopg gave them
        (bytes, str, int, naive UTC datetimes); on SQLite, as sqlite3 stores them."""
        return await self._connection.fetch(read.sql, read.params(values))

    async def aclose(self) -> None:
        """Close what this event loop holds; called at shutdown, on the serving loop."""
        await self._connection.aclose()

    def close(self) -> None:
        self._connection.close()


class _InlineSQLite:
    """One connection per process, used only from the event loop's thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: PoolProxiedConnection | None = None

    async def fetch(self, sql: str, params: Any) -> list[Any]:
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        try:
            cursor = self._connection.cursor()
            try:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except Exception:
            self.close()
            raise

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _AsyncpgReads:
    """asyncpg connections per event loop, opened as the loop's reads need them.

    They belong to the loop that opened them, so every worker process opens its own
    and none is ever shared across a fork; a test client that runs each request on
    a loop of its own opens them per request. asyncpg prepares a statement once per
    connection and keeps it (its statement cache), so a read is one round trip.
    """

    def __init__(self, url: URL, limits: DatabaseLimits) -> None:
        query = dict(url.normalized_query)
        timeout = query.pop("connect_timeout", None)
        # asyncpg reads libpq's URL parameters and sends the rest in the startup
        # message, as libpq does, where the server applies them: options=-csearch_path=...
        # gives these connections the same search_path as the engine's.
        dsn = url.set(drivername="postgresql", query={k: v[-1] for k, v in query.items()})
        self._dsn = dsn.render_as_string(hide_password=False)
        self._shown = url.render_as_string(hide_password=True)
        # The URL's connect_timeout, as libpq would take it, else the setting.
        self._timeout = float(timeout[-1]) if timeout else limits.connect_timeout_seconds
        timeout_ms = limits.statement_timeout_ms
        self._server_settings = {} if timeout_ms is None else {"statement_timeout": str(timeout_ms)}
        self._limits = limits
        self._pools: dict[asyncio.AbstractEventLoop, _Connections] = {}
        self._holders: dict[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = {}

    async def fetch(self, sql: str, params: Any) -> list[Any]:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = await self._open(loop)
        return await pool.fetch(sql, params)

    async def _open(self, loop: asyncio.AbstractEventLoop) -> "_Connections":
        limits = self._limits
        pool = self._pools[loop] = _Connections(
            self._connect, limits.pool_size, wait=limits.pool_timeout_seconds
        )
        holder = self._holders[loop] = self._held_open(loop, pool)
        # Runs to its yield without suspending, so no other read sees a half-opened pool.
        await anext(holder)
        return pool

    async def _connect(self) -> Any:
        try:
            return await asyncpg.connect(
                self._dsn, timeout=self._timeout, server_settings=self._server_settings
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            reason = str(exc) or type(exc).__name__
            raise DatabaseUnreachable(
                f"PostgreSQL at {self._shown} did not answer: {reason}"
            ) from exc

    async def _held_open(
        self, loop: asyncio.AbstractEventLoop, pool: "_Connections"
    ) -> AsyncGenerator[None, None]:
        """Suspended while its loop runs, so that the loop closes the pool before it ends.

        asyncio.run, uvicorn and the test clients close the async generators still
        open when their loop shuts down: a loop that ends without aclose(), as a
        test client's does after each request, still closes its connections.
        """
        try:
            yield
        finally:
            self._pools.pop(loop, None)
            self._holders.pop(loop, None)
            await pool.close()

    async def aclose(self) -> None:
        holder = self._holders.pop(asyncio.get_running_loop(), None)
        if holder is not None:
            await holder.aclose()

    def close(self) -> None:
        # Dropped, each generator is handed back to its own loop, which runs its
        # finally there: connections are only ever closed on the loop they belong to.
        self._holders.clear()
        self._pools.clear()


class _Lost(Exception):
    """A read failed because its connection is gone, not because of the read."""


class _Connections:
    """Up to `size` connections of one event loop, each lent to one read at a time.

    asyncpg's own Pool spends a third of a read on bookkeeping these reads don't
    need (a timeout, a proxy, a reset query and an idle timer per read): a read
    sends one statement, takes its rows and gives the connection back as it was.
    A connection that fails in any way, a cancelled read included, is dropped.

    A connection the server closed (a restart, a failover, an idle timeout) is
    dropped when it is next taken, and a read that finds its connection lost is
    tried once more on a fresh one (a read is idempotent): connections gone stale
    while the database was away never surface as errors.
    """

    def __init__(self, connect: Callable[[], Any], size: int, *, wait: float) -> None:
        self._connect = connect
        self._size = size
        # Longest a read waits for a connection when all are lent.
        self._wait = wait
        self._idle: list[Any] = []
        self._open = 0
        # Reads waiting for a connection; None tells one to open a connection itself.
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._closed = False

    async def fetch(self, sql: str, params: Any) -> list[Any]:
        try:
            return await self._fetch_on(
                self._idle_connection() or await self._acquire(), sql, params
            )
        except _Lost:
            # Whatever closed it closed every idle connection opened before it too.
            self._drop_idle()
        try:
            return await self._fetch_on(await self._acquire(), sql, params)
        except _Lost as lost:
            raise DatabaseUnreachable(f"the connection was lost: {lost.__cause__}") from lost

    async def _fetch_on(self, connection: Any, sql: str, params: Any) -> list[Any]:
        try:
            rows = await connection.fetch(sql, *params)
        except BaseException as exc:
            self._drop(connection)
            if isinstance(exc, Exception) and (
                connection.is_closed() or isinstance(exc, ConnectionError)
            ):
                raise _Lost from exc
            raise
        self._release(connection)
        return [tuple(row) for row in rows]

    def _idle_connection(self) -> Any:
        """An idle connection still open, or None; closed ones are dropped on the way."""
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
            self._drop(connection)
        return None

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._drop(connection)

    async def _acquire(self) -> Any:
        while True:
            connection = self._idle_connection()
            if connection is not None:
                return connection
            if self._open < self._size:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake(None)
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(self._wait):
                    connection = await waiter
            except asyncio.CancelledError:
                # Cancelled after being handed a connection: pass it on.
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._release(waiter.result())
                raise
            except TimeoutError:
                # The same error the engine's pool raises when it runs out of time.
                raise PoolTimeout(
                    f"all {self._size} connections stayed lent for {self._wait:g} s"
                ) from None
            if connection is not None:
                return connection

    def _release(self, connection: Any) -> None:
        if self._closed:
            self._drop(connection)
        elif not self._wake(connection):
            self._idle.append(connection)

    def _drop(self, connection: Any) -> None:
        connection.terminate()
        self._open -= 1
        self._wake(None)

    def _wake(self, connection: Any) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return True
        return False

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open -= 1
            await connection.close()
