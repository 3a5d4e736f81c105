from datetime import date

from pydantic import BaseModel, Field

from app.models.enums import QuoteKind
from app.pagination import Page
from app.people.schemas import PersonRef
from app.types import WRITE_CONFIG, HttpUrl, Id, LanguageCode, LongText, Name, ShortText


class QuoteBase(BaseModel):
    text: LongText = Field(examples=["We will not negotiate while the shelling continues."])
    kind: QuoteKind = Field(description="Direct words, or a paraphrase of them.")
    speaker_role: Name | None = Field(
        default=None,
        description="The speaker's role when speaking.",
        examples=["Foreign Minister"],
    )
    said_on: date
    place: Name | None = Field(default=None, examples=["Doha, Qatar"])
    context: ShortText | None = Field(default=None, examples=["speaking at an international forum"])
    source_url: HttpUrl | None = None
    language: LanguageCode = "en"


class QuoteCreate(QuoteBase):
    model_config = WRITE_CONFIG

    speaker_id: Id


class QuotePublic(QuoteBase):
    id: Id
    speaker: PersonRef


class QuotePage(Page[QuotePublic]):
    pass
