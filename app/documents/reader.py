"""The hot paths: a published document or its article id by slug, and visibility checks.

A stored document is one indexed lookup and a bytes copy, run on the driver
directly (app.documents.driver). Over a network, documents asked for together
go as one query per round trip (app.documents.batches).
"""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from app.documents.batches import Batches
from app.documents.driver import CompiledRead, DriverReads, ReadByIds
from app.models import PublishedArticle

# SQLModel sets __table__ on every table model but does not declare it to type checkers.
_table = PublishedArticle.__table__  # type: ignore[attr-defined]
_VISIBLE_SLUG = (_table.c.slug == bindparam("slug")) & (_table.c.published_at <= bindparam("now"))
_DOCUMENT = select(
    _table.c.article_id, _table.c.document, _table.c.etag, _table.c.surrogate_keys
).where(_VISIBLE_SLUG)
_ARTICLE_ID = select(_table.c.article_id).where(_VISIBLE_SLUG)
# PostgreSQL only: the documents of several slugs at once.
_DOCUMENTS = select(
    _table.c.slug, _table.c.article_id, _table.c.document, _table.c.etag, _table.c.surrogate_keys
).where(
    _table.c.slug == any_(bindparam("slugs", type_=ARRAY(String))),
    _table.c.published_at <= bindparam("now"),
)


class StoredDocument(NamedTuple):
    article_id: int
    document: bytes
    etag: str
    surrogate_keys: str


class DocumentReader:
    def __init__(self, driver: DriverReads) -> None:
        self.driver = driver
        self._document = driver.compile(_DOCUMENT)
        self._article_id = driver.compile(_ARTICLE_ID)
        self._visible_etags = ReadByIds(
            driver,
            lambda ids: select(_table.c.article_id, _table.c.etag).where(
                _table.c.published_at <= bindparam("now"), _table.c.article_id.in_(ids)
            ),
        )
        # SQLite reads inline in microseconds; only a round trip is worth sharing.
        self._batches: Batches[str] | None = None
        if driver.engine.dialect.name == "postgresql":
            self._documents = driver.compile(_DOCUMENTS)
            self._batches = Batches(self._documents_by_slug)

    async def _documents_by_slug(
        self, slugs: list[str], now: datetime
    ) -> dict[str, StoredDocument]:
        values = {"slugs": slugs, "now": self.driver.time(now)}
        rows = await self.driver.fetch(self._documents, values)
        return {row[0]: StoredDocument(*row[1:]) for row in rows}

    async def _one(self, read: CompiledRead, slug: str, now: datetime) -> Any:
        rows = await self.driver.fetch(read, {"slug": slug, "now": self.driver.time(now)})
        return rows[0] if rows else None

    async def by_slug(self, slug: str, now: datetime) -> StoredDocument | None:
        if self._batches is not None:
            stored: StoredDocument | None = await self._batches.read(slug, now)
            return stored
        row = await self._one(self._document, slug, now)
        return StoredDocument(*row) if row is not None else None

    async def article_id(self, slug: str, now: datetime) -> int | None:
        row = await self._one(self._article_id, slug, now)
        return int(row[0]) if row is not None else None

    async def visible_etags(self, article_ids: list[int], now: datetime) -> dict[int, str]:
        """The current ETag of each of these articles that readers can see now."""
        if not article_ids:
            return {}
        values = {"now": self.driver.time(now)}
        return dict(await self._visible_etags.fetch(article_ids, values))
