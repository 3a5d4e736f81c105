"""Stored article summaries, paged by keyset on the database driver.

A list page is one statement run on the driver (app.documents.driver), like the
article read. Which filters are given and whether a cursor is decide the
statement's shape; each shape is compiled the first time it is asked for and
kept, so a request only binds its values.

A list filtered by author, person or tag walks the refs index (ref_kind, ref_id,
published_at, article_id) from the cursor and joins each row to its document by
primary key; other lists walk published_articles' (published_at, article_id) or
(type, published_at, article_id). Either way the cursor is a seek into an index,
so page 1,000 costs what page 1 costs.
"""

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    exists,
    literal_column,
    select,
    tuple_,
)

from app.documents.driver import CompiledRead, DriverReads, ReadByIds
from app.documents.refs import RefKind
from app.models import PublishedArticle, PublishedArticleRef, Tag
from app.models.base import UTCDateTime
from app.models.enums import ArticleType
from app.pagination import split_page

# SQLModel sets __table__ on every table model but does not declare it to type checkers.
_articles = PublishedArticle.__table__  # type: ignore[attr-defined]
_refs = PublishedArticleRef.__table__  # type: ignore[attr-defined]
_tags = Tag.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ArticleFilters:
    author: int | None = None
    person: int | None = None
    tag: str | None = None
    type: ArticleType | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None


class SummaryRow(NamedTuple):
    article_id: int
    summary: bytes


class SummaryPage(NamedTuple):
    rows: Sequence[SummaryRow]
    next_cursor: str | None


# The filters that name something an article embeds, in the order the first one
# present picks the index a list walks.
_REF_FILTERS = (("author", RefKind.author), ("person", RefKind.mention), ("tag", RefKind.tag))


class _Shape(NamedTuple):
    """Which parts a list statement has; one compiled statement per shape."""

    author: bool
    person: bool
    tag: bool
    type: bool
    published_after: bool
    published_before: bool
    cursor: bool


def _kind(kind: RefKind) -> ColumnElement[str]:
    # A constant of the SQL text rather than a parameter: the statement is
    # compiled once, and the planner matches it to the refs index either way.
    return literal_column(f"'{kind.value}'")


def _ref_id(name: str, kind: RefKind) -> ColumnElement[Any]:
    """The ref id a filter asks for; a tag is given by slug and resolved in the same SQL."""
    if kind is RefKind.tag:
        # An unknown slug gives NULL, which matches nothing: an empty list.
        return select(_tags.c.id).where(_tags.c.slug == bindparam(name)).scalar_subquery()
    return bindparam(name, type_=Integer)


def _page_statement(shape: _Shape) -> Select[Any]:
    refs = [(name, kind) for name, kind in _REF_FILTERS if getattr(shape, name)]
    statement = select(_articles.c.article_id, _articles.c.published_at, _articles.c.summary)
    if refs:
        (name, kind), *others = refs
        walked = _refs.alias("walked")
        statement = statement.select_from(
            walked.join(_articles, _articles.c.article_id == walked.c.article_id)
        ).where(walked.c.ref_kind == _kind(kind), walked.c.ref_id == _ref_id(name, kind))
        # The refs row copies its document's published_at, so ordering by it is
        # ordering by the document's; the document's own is checked all the same.
        keyset = (walked.c.published_at, walked.c.article_id)
        statement = statement.where(_articles.c.published_at <= bindparam("now"))
        for name, kind in others:
            also = _refs.alias(f"also_{name}")
            statement = statement.where(
                exists().where(
                    also.c.article_id == walked.c.article_id,
                    also.c.ref_kind == _kind(kind),
                    also.c.ref_id == _ref_id(name, kind),
                )
            )
    else:
        keyset = (_articles.c.published_at, _articles.c.article_id)
    published_at, article_id = keyset
    if shape.cursor:
        # Only a cursor at or before `now` gets here (see SummaryReader.page), so
        # rows past it are visible; a second bound on published_at would make
        # SQLite seek on that one and scan from the top to the cursor.
        after = tuple_(bindparam("after_at"), bindparam("after_id", type_=Integer))
        statement = statement.where(tuple_(published_at, article_id) < after)
    else:
        # Drafts never reach these tables; scheduled documents wait for their time.
        statement = statement.where(published_at <= bindparam("now"))
    if shape.type:
        statement = statement.where(_articles.c.type == bindparam("type"))
    if shape.published_after:
        statement = statement.where(published_at > bindparam("published_after"))
    if shape.published_before:
        statement = statement.where(published_at < bindparam("published_before"))
    return statement.order_by(published_at.desc(), article_id.desc()).limit(
        bindparam("limit", type_=Integer)
    )


# Related articles are scored among this many newest visible articles of each tag
# and person the article shares: a read-more list wants recent pieces, and a tag on
# a third of the archive would otherwise make one request count tens of thousands
# of rows.
RELATED_CANDIDATES = 100

_SHARED_REFS = select(_refs.c.ref_kind, _refs.c.ref_id).where(
    _refs.c.article_id == bindparam("article_id", type_=Integer),
    _refs.c.ref_kind.in_([_kind(RefKind.tag), _kind(RefKind.mention)]),
)


def _newest_with_ref(candidates: int) -> Select[Any]:
    """The newest visible articles embedding one record: a seek on the refs index."""
    return (
        select(_refs.c.article_id, _refs.c.published_at)
        .where(
            _refs.c.ref_kind == bindparam("kind"),
            _refs.c.ref_id == bindparam("ref_id", type_=Integer),
            _refs.c.published_at <= bindparam("now"),
        )
        .order_by(_refs.c.published_at.desc(), _refs.c.article_id.desc())
        .limit(candidates)
    )


def _embedded_statement(kind: RefKind) -> Select[Any]:
    """Whether a visible document embeds the record `ident` as `kind`."""
    return (
        select(_refs.c.article_id)
        .where(
            _refs.c.ref_kind == _kind(kind),
            _refs.c.ref_id == bindparam("ident", type_=Integer),
            _refs.c.published_at <= bindparam("now"),
        )
        .limit(1)
    )


_VISIBLE_TAG = select(_tags.c.id).where(
    _tags.c.slug == bindparam("slug"),
    exists().where(
        _refs.c.ref_kind == _kind(RefKind.tag),
        _refs.c.ref_id == _tags.c.id,
        _refs.c.published_at <= bindparam("now"),
    ),
)


class SummaryReader:
    def __init__(
        self, driver: DriverReads, *, related_candidates: int = RELATED_CANDIDATES
    ) -> None:
        self.driver = driver
        self._pages: dict[_Shape, CompiledRead] = {}
        self._shared_refs = driver.compile(_SHARED_REFS)
        self._newest_with_ref = driver.compile(_newest_with_ref(related_candidates))
        self._summaries_of = ReadByIds(
            driver,
            lambda ids: select(_articles.c.article_id, _articles.c.summary).where(
                _articles.c.article_id.in_(ids), _articles.c.published_at <= bindparam("now")
            ),
        )
        self._embedded = {kind: driver.compile(_embedded_statement(kind)) for kind in RefKind}
        self._visible_tag = driver.compile(_VISIBLE_TAG)
        # The column type's own result processing, so a cursor carries exactly the
        # instant an ORM read of the row would have given.
        dialect = driver.engine.dialect
        processor = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
        self._published_at: Any = processor or (lambda value: value)

    def _page_read(self, shape: _Shape) -> CompiledRead:
        read = self._pages.get(shape)
        if read is None:
            read = self._pages[shape] = self.driver.compile(_page_statement(shape))
        return read

    async def page(
        self,
        *,
        now: datetime,
        filters: ArticleFilters,
        limit: int,
        after: tuple[datetime, int] | None,
    ) -> SummaryPage:
        """Newest first; `after` is the (published_at, article_id) of the last row seen."""
        time = self.driver.time
        values: dict[str, Any] = {"now": time(now), "limit": limit + 1}
        if filters.author is not None:
            values["author"] = filters.author
        if filters.person is not None:
            values["person"] = filters.person
        if filters.tag is not None:
            values["tag"] = filters.tag
        if filters.type is not None:
            values["type"] = filters.type.value
        if filters.published_after is not None:
            values["published_after"] = time(filters.published_after)
        if filters.published_before is not None:
            values["published_before"] = time(filters.published_before)
        if after is not None and after[0] > now:
            # Every visible row is past a cursor from the future.
            after = None
        if after is not None:
            values["after_at"], values["after_id"] = time(after[0]), after[1]
        shape = _Shape(
            filters.author is not None,
            filters.person is not None,
            filters.tag is not None,
            filters.type is not None,
            filters.published_after is not None,
            filters.published_before is not None,
            after is not None,
        )
        rows = await self.driver.fetch(self._page_read(shape), values)
        page, next_cursor = split_page(
            rows, limit, lambda row: (self._published_at(row[1]), row[0])
        )
        return SummaryPage([SummaryRow(row[0], row[2]) for row in page], next_cursor)

    async def related(self, article_id: int, *, now: datetime, limit: int) -> list[SummaryRow]:
        """Articles sharing the most tags and mentioned people, newest first among equals."""
        time = self.driver.time(now)
        shared = await self.driver.fetch(self._shared_refs, {"article_id": article_id})
        candidates = await asyncio.gather(
            *(
                self.driver.fetch(self._newest_with_ref, {"kind": kind, "ref_id": ref, "now": time})
                for kind, ref in shared
            )
        )
        scores: Counter[int] = Counter()
        published: dict[int, Any] = {}
        for rows in candidates:
            for other, published_at in rows:
                if other != article_id:
                    scores[other] += 1
                    published[other] = published_at
        best = sorted(scores, key=lambda i: (scores[i], published[i], i), reverse=True)[:limit]
        if not best:
            return []
        found = dict(await self._summaries_of.fetch(best, {"now": time}))
        return [SummaryRow(ident, found[ident]) for ident in best if ident in found]

    async def embedded(self, kind: RefKind, ident: int, now: datetime) -> bool:
        """Whether a document readers can see now embeds this record as `kind`."""
        values = {"ident": ident, "now": self.driver.time(now)}
        return bool(await self.driver.fetch(self._embedded[kind], values))

    async def visible_tag_id(self, slug: str, now: datetime) -> int | None:
        """The id of the tag with this slug, when a document readers can see is filed under it."""
        rows = await self.driver.fetch(
            self._visible_tag, {"slug": slug, "now": self.driver.time(now)}
        )
        return int(rows[0][0]) if rows else None
