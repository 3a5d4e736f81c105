"""The hot paths: a published document or its article id by slug, and visibility checks.

A stored document is one indexed lookup and a bytes copy. Going through a
Session and FastAPI's thread pool costs several times the lookup itself, so
this reader runs precompiled queries on the driver directly: inline on the
event loop for SQLite (a local file read in WAL mode takes microseconds and
never waits on a writer), and in one thread hop for a networked database,
where a round trip must not stall the loop.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, bindparam, select
from sqlalchemy.pool import PoolProxiedConnection
from starlette.concurrency import run_in_threadpool

from app.models import PublishedArticle

# SQLModel sets __table__ on every table model but does not declare it to type checkers.
_table = PublishedArticle.__table__  # type: ignore[attr-defined]
_VISIBLE_SLUG = (_table.c.slug == bindparam("slug")) & (_table.c.published_at <= bindparam("now"))
_DOCUMENT = select(
    _table.c.article_id, _table.c.document, _table.c.etag, _table.c.surrogate_keys
).where(_VISIBLE_SLUG)
_ARTICLE_ID = select(_table.c.article_id).where(_VISIBLE_SLUG)


class StoredDocument(NamedTuple):
    article_id: int
    document: bytes
    etag: str
    surrogate_keys: str


class _Compiled:
    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup if compiled.positional else None

    def params(self, values: dict[str, Any]) -> Any:
        return values if self.positions is None else [values[n] for n in self.positions]


class DocumentReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._document = _Compiled(_DOCUMENT, engine)
        self._article_id = _Compiled(_ARTICLE_ID, engine)
        # The dialect's own processor: on SQLite it writes the exact text SQLAlchemy
        # stores, so string comparison agrees to the microsecond.
        column_type = _table.c.published_at.type.dialect_impl(engine.dialect)
        bind = column_type.bind_processor(engine.dialect)
        self._now: Callable[[datetime], Any] = bind or (lambda value: value)
        self._inline = engine.dialect.name == "sqlite"
        self._connection: PoolProxiedConnection | None = None

    def _fetch(self, connection: Any, sql: str, params: Any) -> list[Any]:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _fetch_inline(self, sql: str, params: Any) -> list[Any]:
        # One connection per process, used only from the event loop's thread.
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        try:
            return self._fetch(self._connection, sql, params)
        except Exception:
            self.close()
            raise

    def _fetch_pooled(self, sql: str, params: Any) -> list[Any]:
        connection = self.engine.raw_connection()
        try:
            return self._fetch(connection, sql, params)
        finally:
            connection.close()

    async def _run(self, sql: str, params: Any) -> list[Any]:
        if self._inline:
            return self._fetch_inline(sql, params)
        return await run_in_threadpool(self._fetch_pooled, sql, params)

    async def _one(self, query: _Compiled, slug: str, now: datetime) -> Any:
        rows = await self._run(query.sql, query.params({"slug": slug, "now": self._now(now)}))
        return rows[0] if rows else None

    async def by_slug(self, slug: str, now: datetime) -> StoredDocument | None:
        row = await self._one(self._document, slug, now)
        return StoredDocument(*row) if row is not None else None

    async def article_id(self, slug: str, now: datetime) -> int | None:
        row = await self._one(self._article_id, slug, now)
        return int(row[0]) if row is not None else None

    async def visible_etags(self, article_ids: list[int], now: datetime) -> dict[int, str]:
        """The current ETag of each of these articles that readers can see now."""
        if not article_ids:
            return {}
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"SELECT article_id, etag FROM published_articles WHERE published_at <= {mark} "  # noqa: S608 - placeholders only
            f"AND article_id IN ({', '.join([mark] * len(article_ids))})"
        )
        return dict(await self._run(sql, [self._now(now), *article_ids]))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
