from app.documents.refs import RefKind
from app.editing.resource import Phrases, Resource
from app.models import Quote
from app.quotes.schemas import QuoteCreate, QuoteRecord, QuoteRecordPage
from app.quotes.service import quote_content, quote_references, write_quote

quotes = Resource(
    kind="quote",
    singular="Quote",
    plural="Quotes",
    path="/quotes",
    phrases=Phrases(one="a quote", many="quotes"),
    row=Quote,
    create_schema=QuoteCreate,
    record_schema=QuoteRecord,
    page_schema=QuoteRecordPage,
    references=quote_references,
    write=write_quote,
    content=quote_content,
    ref_kind=RefKind.quote,
)
