"""Article lists answered from stored summaries, without re-serializing them."""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app.articles.service import ArticleFilters, SummaryPage, find_articles
from app.container import read_in_thread, services
from app.documents.refs import surrogate_key
from app.http import spliced_page_response


def summary_page_response(
    request: Request, page: SummaryPage, *, surrogate_keys: Iterable[str]
) -> Response:
    keys = [*surrogate_keys, *(surrogate_key("article", row.article_id) for row in page.rows)]
    return spliced_page_response(
        request,
        services(request).public_headers,
        [row.summary for row in page.rows],
        page.next_cursor,
        surrogate_keys=keys,
    )


async def owned_articles_response(
    request: Request,
    *,
    now: datetime,
    owner_key: Callable[[Session], str],
    filters: ArticleFilters,
    limit: int,
    cursor: str | None,
) -> Response:
    """The articles of an author, person or tag, once `owner_key` has found it visible.

    `owner_key` raises NotFound for an owner no visible article shows, and else
    returns the owner's surrogate key; both run in the read of the page itself.
    """

    def read(session: Session) -> tuple[str, SummaryPage]:
        key = owner_key(session)
        return key, find_articles(session, now=now, filters=filters, limit=limit, cursor=cursor)

    key, page = await read_in_thread(request, read)
    return summary_page_response(request, page, surrogate_keys=("articles", key))
