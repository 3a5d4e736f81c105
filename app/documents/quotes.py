"""Quotes as published documents embed them, with the speaker as a reference."""

from pydantic import BaseModel, Field

from app.documents.people import PersonRef
from app.models.enums import QuoteKind
from app.types import Day, HttpUrl, Id, LanguageCode, LongText, Name, ShortText


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


class QuotePublic(QuoteBase):
    id: Id
    speaker: PersonRef
