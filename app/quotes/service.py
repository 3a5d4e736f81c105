"""Quotes that published articles use."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.documents import queries
from app.documents.graph import Builder, Graph
from app.documents.quotes import QuotePublic
from app.documents.refs import RefKind
from app.editing.references import Reference
from app.editing.rows import save_fields
from app.errors import NotFound
from app.models import Quote
from app.pagination import after_keyset, decode_cursor, split_page
from app.quotes.schemas import QuoteCreate

QUOTE_CURSOR = (date, int)
# Undated quotes sort as the oldest: after every dated one, newest id first among them. A
# sentinel (not NULLS LAST) keeps the keyset one row comparison that both databases share.
_UNDATED = date.min
_said_key = func.coalesce(col(Quote.said_on), _UNDATED)
ORDER = (
    "newest `said_on` first (a month or year sorts as its first day), undated quotes last, "
    "and the newest quote first among those said the same day or undated"
)


def build_quotes(session: Session, ids: list[int]) -> list[QuotePublic]:
    graph = Graph(session)
    graph.load_quotes(ids)
    builder = Builder(graph)
    return [builder.quote(qid) for qid in ids]


def visible_quote(session: Session, quote_id: int, now: datetime) -> QuotePublic:
    if not queries.is_visible(session, RefKind.quote, quote_id, now):
        raise NotFound(f"No published article uses a quote with id {quote_id}.")
    return build_quotes(session, [quote_id])[0]


def quotes_page(
    session: Session, *, now: datetime, speaker: int | None, limit: int, cursor: str | None
) -> tuple[list[QuotePublic], str | None]:
    """Quotes used in published articles, in ORDER."""
    keyset = (_said_key, col(Quote.id))
    statement = select(col(Quote.id), _said_key).where(
        col(Quote.id).in_(queries.visible_ref_ids(RefKind.quote, now))
    )
    if speaker is not None:
        statement = statement.where(Quote.speaker_id == speaker)
    if cursor is not None:
        after = decode_cursor(cursor, QUOTE_CURSOR)
        statement = statement.where(after_keyset(keyset, after, descending=True))
    rows = session.execute(statement.order_by(*(c.desc() for c in keyset)).limit(limit + 1)).all()
    page, next_cursor = split_page(rows, limit, lambda row: (row[1], row[0]))
    return build_quotes(session, [row[0] for row in page]), next_cursor


def write_quote(session: Session, row: Quote | None, data: QuoteCreate, actor: str) -> Quote:
    return save_fields(session, Quote, row, data.model_dump(), actor)


def quote_contents(_session: Session, rows: Sequence[Quote]) -> list[QuoteCreate]:
    fields = set(QuoteCreate.model_fields)
    return [QuoteCreate.model_validate(row.model_dump(include=fields)) for row in rows]


def quote_references(data: QuoteCreate) -> list[Reference]:
    if data.speaker_id is None:
        return []
    return [Reference("person", data.speaker_id, ("speaker_id",))]
