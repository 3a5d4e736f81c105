"""Article lists answered from stored summaries, without re-serializing them."""

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from app.container import services
from app.documents.refs import surrogate_key
from app.documents.summaries import SummaryPage
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
