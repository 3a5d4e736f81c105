from pydantic import BaseModel, Field

from app.editing.schemas import RecordMeta
from app.models.enums import QuoteKind
from app.pagination import Page
from app.people.schemas import PersonRef
from app.types import (
    WRITE_CONFIG,
    Day,
    HttpUrl,
    Id,
    LanguageCode,
    LongText,
    Name,
    Ref,
    ShortText,
)


class QuoteBase(BaseModel):
    text: LongText = Field(
        examples=["Both governments have told us they are ready to sit in the same room."]
    )
    kind: QuoteKind = Field(description="Direct words, or a paraphrase of them.")
    speaker_role: Name | None = Field(
        default=None,
        description="The speaker's role when speaking.",
        examples=["Foreign Minister"],
    )
    said_on: Day
    place: Name | None = Field(default=None, examples=["Halvik, Norvania"])
    context: ShortText | None = Field(
        default=None, examples=["at a news conference at the Foreign Ministry"]
    )
    source_url: HttpUrl | None = Field(
        default=None,
        description="Where the words were published, e.g. a transcript or statement.",
        examples=["https://mfa.norvania-gov.example/news/2026-09-30-karsh-talks"],
    )
    language: LanguageCode = "en"


class QuoteCreate(QuoteBase):
    model_config = WRITE_CONFIG

    speaker_id: Ref


class QuotePublic(QuoteBase):
    id: Id
    speaker: PersonRef


class QuotePage(Page[QuotePublic]):
    pass


class QuoteRecord(RecordMeta, QuoteCreate):
    """A quote as the management API reads and writes it."""


class QuoteRecordPage(Page[QuoteRecord]):
    pass
