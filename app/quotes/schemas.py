from app.documents.quotes import QuoteBase, QuotePublic
from app.editing.schemas import RecordMeta
from app.pagination import Page
from app.types import WRITE_CONFIG, Ref


class QuoteCreate(QuoteBase):
    model_config = WRITE_CONFIG

    speaker_id: Ref


class QuotePage(Page[QuotePublic]):
    pass


class QuoteRecord(RecordMeta, QuoteCreate):
    """A quote as the management API reads and writes it."""


class QuoteRecordPage(Page[QuoteRecord]):
    pass
