"""An article's content as every revision holds it, and the published shapes rendered from it."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.documents.blocks import BodyBlock, ResolvedBlock
from app.documents.images import IMAGE_URL_EXAMPLE, ImageFilePublic, PlacedImage
from app.documents.people import PersonPublic, PersonRef
from app.documents.tags import TagRef
from app.models.enums import ArticleType
from app.types import (
    WRITE_CONFIG,
    Id,
    Kicker,
    LanguageCode,
    LongText,
    Name,
    Ref,
    ShortText,
    Slug,
    Timestamp,
)


class ArticleBase(BaseModel):
    slug: Slug = Field(examples=["the-ceasefire-that-nobody-signed"])
    type: ArticleType
    headline: ShortText = Field(examples=["The ceasefire that nobody signed"])
    dek: ShortText | None = Field(default=None, description="The one-sentence subheadline.")
    language: LanguageCode = "en"


class LeadImageCreate(BaseModel):
    model_config = WRITE_CONFIG

    image_id: Ref
    caption: LongText | None = None


class MentionCreate(BaseModel):
    model_config = WRITE_CONFIG

    person_id: Ref
    role: Name | None = Field(default=None, description="Their role at the time of the article.")


class ArticleCreate(ArticleBase):
    """An article's editable content: what a draft and every revision hold."""

    model_config = WRITE_CONFIG

    kicker: Kicker | None = Field(
        default=None, description="Overrides the label that follows from `type`."
    )
    body: list[BodyBlock] = Field(default_factory=list, max_length=500)
    author_note: LongText | None = None
    author_ids: list[Ref] = Field(default_factory=list, max_length=20)
    lead_image: LeadImageCreate | None = None
    mentions: list[MentionCreate] = Field(default_factory=list, max_length=200)
    tag_ids: list[Ref] = Field(default_factory=list, max_length=50)
    updated_at: Timestamp | None = Field(
        default=None, description="Shown to readers as the time of the last correction."
    )


class AuthorRef(BaseModel):
    id: Id
    name: str


class Mention(BaseModel):
    person: PersonRef
    role: str | None = Field(description="Their role at the time of the article.")


class Thumbnail(BaseModel):
    id: Id
    url: str | None = Field(
        description="Where the image lives elsewhere, if anywhere.", examples=[IMAGE_URL_EXAMPLE]
    )
    alt_text: str
    width: int | None
    height: int | None
    credit_line: str | None
    file: ImageFilePublic | None = Field(
        description="The uploaded file with its renditions, for a card's `srcset`."
    )


class ArticleLinks(BaseModel):
    self: str = Field(examples=["/v1/articles/the-ceasefire-that-nobody-signed"])
    related: str = Field(examples=["/v1/articles/the-ceasefire-that-nobody-signed/related"])


class ArticlePublishedFields(ArticleBase):
    id: Id
    kicker: str | None = Field(description="The label above the headline.", examples=["Op-ed"])
    published_at: datetime
    updated_at: datetime | None = Field(description="When the article was last corrected.")


class ArticleSummary(ArticlePublishedFields):
    """An article as lists show it."""

    authors: list[AuthorRef]
    lead_image: Thumbnail | None
    links: ArticleLinks


class ArticleDocument(ArticlePublishedFields):
    """The whole published page in one response."""

    authors: list[PersonPublic] = Field(description="The byline, in order.")
    lead_image: PlacedImage | None
    body: list[ResolvedBlock]
    author_note: str | None = Field(description="The closing note about the writer.")
    people: list[Mention] = Field(description="People and organizations mentioned, in order.")
    tags: list[TagRef]
    links: ArticleLinks
