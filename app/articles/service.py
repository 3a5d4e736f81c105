"""Public article lists: filters, cursors, the lists of an author, person or tag, related.

Each read runs on the database driver through app.documents.summaries and
takes no session, so it can answer a request inside or outside FastAPI's router.
"""

from datetime import datetime
from typing import NamedTuple, cast

from app.documents.reader import DocumentReader
from app.documents.refs import RefKind
from app.documents.summaries import ArticleFilters, SummaryPage, SummaryReader
from app.errors import NotFound
from app.pagination import decode_cursor

ARTICLE_CURSOR = (datetime, int)


class RelatedArticles(NamedTuple):
    article_id: int
    page: SummaryPage


async def find_articles(
    summaries: SummaryReader,
    *,
    now: datetime,
    filters: ArticleFilters,
    limit: int,
    cursor: str | None,
) -> SummaryPage:
    """One page of published summaries, newest first, and the cursor of the next."""
    after = _after(cursor) if cursor is not None else None
    return await summaries.page(now=now, filters=filters, limit=limit, after=after)


def _after(cursor: str) -> tuple[datetime, int]:
    published_at, article_id = decode_cursor(cursor, ARTICLE_CURSOR)
    # decode_cursor has checked each value's type against ARTICLE_CURSOR.
    return cast(datetime, published_at), cast(int, article_id)


async def _owned_articles(
    summaries: SummaryReader,
    *,
    now: datetime,
    owner: RefKind,
    ident: int,
    filters: ArticleFilters,
    limit: int,
    cursor: str | None,
    missing: str,
) -> SummaryPage:
    page = await find_articles(summaries, now=now, filters=filters, limit=limit, cursor=cursor)
    # A row on the page proves a visible document embeds the owner; only an
    # empty page needs the second read that tells "none left" from "no such owner".
    if not page.rows and not await summaries.embedded(owner, ident, now):
        raise NotFound(missing)
    return page


async def author_articles(
    summaries: SummaryReader, *, now: datetime, author_id: int, limit: int, cursor: str | None
) -> SummaryPage:
    return await _owned_articles(
        summaries,
        now=now,
        owner=RefKind.author,
        ident=author_id,
        filters=ArticleFilters(author=author_id),
        limit=limit,
        cursor=cursor,
        missing=f"No author with id {author_id} has published articles.",
    )


async def person_articles(
    summaries: SummaryReader, *, now: datetime, person_id: int, limit: int, cursor: str | None
) -> SummaryPage:
    """Articles mentioning the person; 404 only when no visible article shows them at all."""
    return await _owned_articles(
        summaries,
        now=now,
        owner=RefKind.person,
        ident=person_id,
        filters=ArticleFilters(person=person_id),
        limit=limit,
        cursor=cursor,
        missing=f"No published content shows a person with id {person_id}.",
    )


async def tag_articles(
    summaries: SummaryReader, *, now: datetime, slug: str, limit: int, cursor: str | None
) -> tuple[int, SummaryPage]:
    """The tag's id (its Surrogate-Key names it) and a page of its articles."""
    tag_id = await summaries.visible_tag_id(slug, now)
    if tag_id is None:
        raise NotFound(f"No published article is tagged {slug!r}.")
    page = await find_articles(
        summaries, now=now, filters=ArticleFilters(tag=slug), limit=limit, cursor=cursor
    )
    return tag_id, page


async def related_articles(
    documents: DocumentReader,
    summaries: SummaryReader,
    *,
    now: datetime,
    slug: str,
    limit: int,
) -> RelatedArticles:
    article_id = await documents.article_id(slug, now)
    if article_id is None:
        raise NotFound(f"No published article has the slug {slug!r}.")
    rows = await summaries.related(article_id, now=now, limit=limit)
    return RelatedArticles(article_id, SummaryPage(rows, None))
