"""Quotes as published documents embed them, with the speaker as a reference."""

from pydantic import BaseModel, Field

from app.documents.people import PersonRef
from app.models.enums import QuoteKind
from app.models.quotes import DatePrecision
from app.types import Day, HttpUrl, Id, LanguageCode, LongText, Name, ShortText

SPEAKER_LABEL = (
    "How the speaker is shown, instead of the speaker's name, e.g. an institution's office "
    "speaking for its head; it may stand alone when no person record exists."
)
SAID_ON_PRECISION = (
    "How much of `said_on` is known. `month` keeps the first of the month as the date and "
    "`year` the first of January; `unknown` goes with a null `said_on`."
)


class QuoteBase(BaseModel):
    text: LongText = Field(
        examples=["Both governments have told us they are ready to sit in the same room."]
    )
    kind: QuoteKind = Field(description="Direct words, or a paraphrase of them.")
    speaker_label: Name | None = Field(
        default=None, description=SPEAKER_LABEL, examples=["the prime minister's office"]
    )
    speaker_role: Name | None = Field(
        default=None,
        description="The speaker's role when speaking.",
        examples=["Foreign Minister"],
    )
    said_on: Day | None = Field(
        default=None, description="When the words were said, as far as `said_on_precision` says."
    )
    said_on_precision: DatePrecision = Field(
        default=DatePrecision.day,
        description=SAID_ON_PRECISION
        + " When omitted it is `day` if `said_on` is given and `unknown` if not.",
    )
    place: Name | None = Field(
        default=None, description="Where, as a location.", examples=["Halvik, Norvania"]
    )
    venue: ShortText | None = Field(
        default=None,
        description="The event or place the words were said at.",
        examples=["at a regional security forum in the capital"],
    )
    context: ShortText | None = Field(
        default=None,
        description="The medium or circumstance, apart from the venue.",
        examples=["at a news conference at the Foreign Ministry"],
    )
    source_url: HttpUrl | None = Field(
        default=None,
        description="Where the words were published, e.g. a transcript or statement.",
        examples=["https://mfa.norvania-gov.example/news/2026-09-30-karsh-talks"],
    )
    language: LanguageCode = "en"


class QuotePublic(QuoteBase):
    id: Id
    speaker: PersonRef | None = Field(
        description="The person or organization who said it; null when only `speaker_label` "
        "names the speaker."
    )
