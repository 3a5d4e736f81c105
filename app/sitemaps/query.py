"""The reads behind sitemaps: published documents in a window of publish times.

Every statement walks published_articles' (published_at, article_id) index; drafts
never reach that table, and the window ends at `now`, so scheduled documents wait for
their time. A sitemap is one keyset pass: batches follow on from the last row of the
previous one, never by offset, except once to find where a later part of a month starts
(an index-only skip).
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, bindparam, extract, func, select, tuple_

from app.documents.driver import DriverReads
from app.models import PublishedArticle
from app.models.base import UTCDateTime

# SQLModel sets __table__ on every table model but does not declare it to type checkers.
_articles = PublishedArticle.__table__  # type: ignore[attr-defined]
_published_at = _articles.c.published_at
_article_id = _articles.c.article_id

# Documents fetched per statement: a few megabytes of JSON at most.
BATCH = 500


@dataclass(frozen=True, slots=True)
class Window:
    """Publish times from `since` to `until`, both included."""

    since: datetime
    until: datetime


class Month(NamedTuple):
    year: int
    month: int
    articles: int
    rendered_at: datetime


class WindowState(NamedTuple):
    """What changes whenever the documents in a window do: a row rendered, withdrawn or
    coming into the window changes the count, the latest render time or the sum of ids."""

    articles: int
    rendered_at: datetime | None
    id_sum: int


def _in_window() -> Any:
    return (_published_at >= bindparam("since")) & (_published_at <= bindparam("until"))


_MONTHS = (
    select(
        extract("year", _published_at).label("year"),
        extract("month", _published_at).label("month"),
        func.count(),
        func.max(_articles.c.rendered_at),
    )
    .where(_published_at <= bindparam("until"))
    .group_by("year", "month")
    .order_by("year", "month")
)

_STATE = select(func.count(), func.max(_articles.c.rendered_at), func.sum(_article_id)).where(
    _in_window()
)


def _batch(*, newest_first: bool, after: bool) -> Select[Any]:
    statement = select(_published_at, _article_id, _articles.c.document).where(_in_window())
    keyset = tuple_(_published_at, _article_id)
    if after:
        last = tuple_(bindparam("after_at"), bindparam("after_id", type_=Integer))
        statement = statement.where(keyset < last if newest_first else keyset > last)
    else:
        statement = statement.offset(bindparam("skip", type_=Integer))
    order = (
        (_published_at.desc(), _article_id.desc())
        if newest_first
        else (_published_at.asc(), _article_id.asc())
    )
    return statement.order_by(*order).limit(bindparam("limit", type_=Integer))


class SitemapReader:
    def __init__(self, driver: DriverReads) -> None:
        self.driver = driver
        self._months = driver.compile(_MONTHS)
        self._state = driver.compile(_STATE)
        self._batches = {
            (newest_first, after): driver.compile(_batch(newest_first=newest_first, after=after))
            for newest_first in (False, True)
            for after in (False, True)
        }
        # The column type's own result processing, as an ORM read of the row would give.
        dialect = driver.engine.dialect
        processor = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
        self._stored_time: Any = processor or (lambda value: value)

    def _time(self, value: Any) -> datetime:
        parsed: datetime = self._stored_time(value)
        return parsed.astimezone(UTC)

    def _window(self, window: Window) -> dict[str, Any]:
        return {"since": self.driver.time(window.since), "until": self.driver.time(window.until)}

    async def months(self, until: datetime) -> list[Month]:
        """Every month with a document published by `until`, oldest first."""
        rows = await self.driver.fetch(self._months, {"until": self.driver.time(until)})
        return [
            Month(int(year), int(month), count, self._time(rendered))
            for year, month, count, rendered in rows
        ]

    async def state(self, window: Window) -> WindowState:
        ((count, rendered, id_sum),) = await self.driver.fetch(self._state, self._window(window))
        return WindowState(
            count, None if rendered is None else self._time(rendered), int(id_sum or 0)
        )

    async def documents(
        self, window: Window, *, newest_first: bool, skip: int, limit: int
    ) -> AsyncIterator[list[bytes]]:
        """Up to `limit` documents in the window past the first `skip`, in batches."""
        values = {**self._window(window), "skip": skip}
        after = False
        while limit > 0:
            values["limit"] = min(BATCH, limit)
            rows = await self.driver.fetch(self._batches[newest_first, after], values)
            if not rows:
                return
            yield [bytes(row[2]) for row in rows]
            if len(rows) < values["limit"]:
                return
            limit -= len(rows)
            last_at, last_id = rows[-1][0], rows[-1][1]
            values["after_at"] = self.driver.time(self._time(last_at))
            values["after_id"] = last_id
            after = True
