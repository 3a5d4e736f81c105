"""Gauges of the database connection pool: its size, connections in use, overflow.

They are kept up to date by the pool's own events rather than read at scrape
time: with several workers, a scrape is answered by one of them, and only
values each worker writes to the shared metric files reach it. Each gauge sums
over the live workers. A checkout and a checkin cost a gauge update each, about
a microsecond; connections open and close far less often.
"""

import threading
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

POOL_SIZE = Gauge(
    "byline_db_pool_size",
    "Connections the database pool keeps open for reuse (0 for a pool without a size).",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "byline_db_pool_checked_out",
    "Database connections in use now.",
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "byline_db_pool_overflow",
    "Database connections open beyond the pool's size, closed again when returned.",
    multiprocess_mode="livesum",
)


def watch_pool(engine: Engine) -> None:
    """Keep the pool gauges for this engine's pool (and the pools dispose() replaces it with)."""
    # PostgreSQL and SQLite files get a QueuePool; in-memory SQLite keeps one connection
    # per thread and has no size, so nothing it opens is overflow.
    size = engine.pool.size() if isinstance(engine.pool, QueuePool) else None
    POOL_SIZE.set(size or 0)
    opened = 0
    lock = threading.Lock()

    def count_open(change: int) -> None:
        nonlocal opened
        with lock:
            opened += change
            if size is not None:
                POOL_OVERFLOW.set(max(0, opened - size))

    def connected(*_: Any) -> None:
        count_open(+1)

    def closed(*_: Any) -> None:
        count_open(-1)

    # A connection that failed to open is "checked in" without having been checked out.
    in_use: set[int] = set()

    def checked_out(_connection: Any, record: Any, _proxy: Any) -> None:
        with lock:
            in_use.add(id(record))
        POOL_CHECKED_OUT.inc()

    def checked_in(_connection: Any, record: Any) -> None:
        with lock:
            if id(record) not in in_use:
                return
            in_use.discard(id(record))
        POOL_CHECKED_OUT.dec()

    event.listen(engine, "connect", connected)
    event.listen(engine, "close", closed)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
