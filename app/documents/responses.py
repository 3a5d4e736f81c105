"""Article lists answered from stored summaries, without re-serializing them."""

from collections.abc import Iterable, Sequence

from starlette.requests import Request
from starlette.responses import Response

from app.documents.queries import SummaryRow
from app.documents.refs import surrogate_key
from app.http import public_response
from app.pagination import next_link, page_body, split_page


def summary_page_response(
    request: Request,
    rows: Sequence[SummaryRow],
    *,
    limit: int,
    surrogate_keys: Iterable[str],
) -> Response:
    page, next_cursor = split_page(rows, limit, lambda row: (row.published_at, row.article_id))
    keys = [*surrogate_keys, *(surrogate_key("article", row.article_id) for row in page)]
    return public_response(
        request,
        page_body([row.summary for row in page], next_cursor),
        surrogate_keys=keys,
        headers=next_link(request, next_cursor),
    )
