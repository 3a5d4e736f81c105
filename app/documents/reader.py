"""The hot path: a published document by slug, without the ORM or a thread hop.

A stored document is one indexed lookup and a bytes copy. Going through a
Session and FastAPI's thread pool costs several times the lookup itself, so
this reader runs the precompiled query on the driver directly: inline on the
event loop for SQLite (a local file read in WAL mode takes microseconds and
never waits on a writer), and in one thread hop for a networked database,
where a round trip must not stall the loop.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.pool import PoolProxiedConnection
from starlette.concurrency import run_in_threadpool

from app.models import PublishedArticle

_table = PublishedArticle.__table__  # type: ignore[attr-defined]
_BY_SLUG = select(
    _table.c.article_id, _table.c.document, _table.c.etag, _table.c.surrogate_keys
).where(_table.c.slug == bindparam("slug"), _table.c.published_at <= bindparam("now"))


class StoredDocument(NamedTuple):
    article_id: int
    document: bytes
    etag: str
    surrogate_keys: str


class DocumentReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        compiled = _BY_SLUG.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        self._positions = compiled.positiontup if compiled.positional else None
        bind = _table.c.published_at.type.bind_processor(engine.dialect)
        self._now: Callable[[datetime], Any] = bind or (lambda value: value)
        self._inline = engine.dialect.name == "sqlite"
        self._connection: PoolProxiedConnection | None = None

    def _params(self, slug: str, now: datetime) -> Any:
        values = {"slug": slug, "now": self._now(now)}
        if self._positions is None:
            return values
        return [values[name] for name in self._positions]

    def _fetch(self, connection: Any, slug: str, now: datetime) -> StoredDocument | None:
        cursor = connection.cursor()
        try:
            cursor.execute(self._sql, self._params(slug, now))
            row = cursor.fetchone()
        finally:
            cursor.close()
        return StoredDocument(*row) if row is not None else None

    def _fetch_inline(self, slug: str, now: datetime) -> StoredDocument | None:
        # One connection per process, used only from the event loop's thread.
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        try:
            return self._fetch(self._connection, slug, now)
        except Exception:
            self.close()
            raise

    def _fetch_pooled(self, slug: str, now: datetime) -> StoredDocument | None:
        connection = self.engine.raw_connection()
        try:
            return self._fetch(connection, slug, now)
        finally:
            connection.close()

    async def by_slug(self, slug: str, now: datetime) -> StoredDocument | None:
        if self._inline:
            return self._fetch_inline(slug, now)
        return await run_in_threadpool(self._fetch_pooled, slug, now)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
