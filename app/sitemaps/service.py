"""Which documents each sitemap holds, and the validator that says when that changes."""

import calendar
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.errors import NotFound
from app.http import etag_for
from app.sitemaps.entries import SitemapEntry, entry_of
from app.sitemaps.query import Month, SitemapReader, Window
from app.sitemaps.writing import Publication

# The protocol's bound on URLs per sitemap; a month with more is split into parts.
MAX_URLS = 50_000
# Google News reads articles of the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
MAX_NEWS_URLS = 1_000
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class PlannedSitemap:
    """A sitemap's validator, known before any document is read, and its entries."""

    etag: str
    # Whether the part asked for holds any article.
    found: bool
    entries: AsyncIterator[list[SitemapEntry]]


def month_window(year: int, month: int, now: datetime) -> Window | None:
    """The month's publish times up to now; None for a month still to come."""
    since = datetime(year, month, 1, tzinfo=UTC)
    if since > now:
        return None
    days = calendar.monthrange(year, month)[1]
    return Window(since, min(since + timedelta(days=days) - _MICROSECOND, now))


def parts(articles: int, max_urls: int) -> int:
    return -(-articles // max_urls)


def month_path(month: Month | tuple[int, int], part: int = 1) -> str:
    """A month's sitemap, relative to /v1: part 1 has no query, so the URL of a month that
    grows past the bound does not change."""
    year, number = month[0], month[1]
    return f"/sitemaps/{year:04d}-{number:02d}.xml" + (f"?part={part}" if part > 1 else "")


def _as_w3c(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def index_entries(
    reader: SitemapReader, *, now: datetime, max_urls: int
) -> list[tuple[str, str | None]]:
    """(path, lastmod) of every monthly sitemap and part, oldest first; lastmod is the
    latest time a document of the month was rendered."""
    return [
        (month_path(month, part), _as_w3c(month.rendered_at))
        for month in await reader.months(now)
        for part in range(1, parts(month.articles, max_urls) + 1)
    ]


async def sitemap_entries(
    batches: AsyncIterator[list[bytes]], origin: str
) -> AsyncIterator[list[SitemapEntry]]:
    async for batch in batches:
        yield [entry_of(document, origin) for document in batch]


async def _plan(
    reader: SitemapReader,
    window: Window,
    *,
    newest_first: bool,
    part: int,
    max_urls: int,
    origin: str,
    variant: str,
) -> PlannedSitemap:
    """The sitemap of part `part` of the documents in `window`."""
    state = await reader.state(window)
    skip = (part - 1) * max_urls
    # Whatever shapes the answer: the documents in the window, which of them, and what
    # the URLs and news tags are written with.
    etag = etag_for(repr((state, part, max_urls, origin, variant)).encode())
    batches = reader.documents(window, newest_first=newest_first, skip=skip, limit=max_urls)
    return PlannedSitemap(etag, skip < state.articles, sitemap_entries(batches, origin))


async def month_sitemap(
    reader: SitemapReader,
    *,
    year: int,
    month: int,
    part: int,
    now: datetime,
    max_urls: int,
    origin: str,
) -> PlannedSitemap:
    """Part `part` of the month's articles, oldest first; a month with none yet is a 404."""
    window = month_window(year, month, now)
    planned = None
    if window is not None:
        planned = await _plan(
            reader,
            window,
            newest_first=False,
            part=part,
            max_urls=max_urls,
            origin=origin,
            variant="month",
        )
    if planned is None or not planned.found:
        raise NotFound(
            f"There is no sitemap {year:04d}-{month:02d}"
            + (f" part {part}" if part > 1 else "")
            + ": no published article falls there."
        )
    return planned


async def news_sitemap(
    reader: SitemapReader, *, now: datetime, origin: str, publication: Publication
) -> PlannedSitemap:
    """Articles published in the last 48 hours, newest first; with none, an empty urlset
    rather than a 404, since the URL is registered with Google once."""
    return await _plan(
        reader,
        Window(now - NEWS_WINDOW, now),
        newest_first=True,
        part=1,
        max_urls=MAX_NEWS_URLS,
        origin=origin,
        variant=repr(publication),
    )
