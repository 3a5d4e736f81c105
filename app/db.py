"""Engine construction and the per-request session."""

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "byline_write"
T = TypeVar("T")


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while a writer commits; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    # The driver's own BEGIN is turned off: _begin_sqlite emits ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    # A write transaction takes the write lock up front (IMMEDIATE), so it
    # waits its turn instead of failing when another writer commits between
    # its first read and its first write.
    mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        pool: dict[str, int] = {}
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": 8, "max_overflow": 16}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session, one transaction per request; services never commit."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    """A session whose transaction is meant to write: one commit, by the route."""
    with Session(get_engine(request), expire_on_commit=False) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session


async def read_in_thread(request: Request, work: Callable[[Session], T]) -> T:
    """Run a public read, with a session of its own, in one hop to the read threads.

    A sync session dependency and a sync route take three hops through the
    shared 40-thread pool (open, run, close). Under load those threads fight
    for the GIL, and a list cost 2.7 ms of CPU. A few dedicated threads and one
    hop halve that; a read holds no lock while it waits for a thread.
    """
    engine = get_engine(request)

    def run() -> T:
        with Session(engine, expire_on_commit=False) as session:
            return work(session)

    executor: ThreadPoolExecutor = request.app.state.read_executor
    return await asyncio.get_running_loop().run_in_executor(executor, run)


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]
