"""An article's content as every revision holds it, and the published shapes rendered from it."""

from datetime import datetime
from itertools import pairwise
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from app.documents.blocks import BodyBlock, InlineHtml, ResolvedBlock
from app.documents.images import IMAGE_URL_EXAMPLE, ImageFilePublic, ImagePublic, PlacedImage
from app.documents.people import PersonPublic, PersonRef
from app.documents.tags import TagRef
from app.errors import content_rule
from app.models.articles import CorrectionKind
from app.models.enums import ArticleType
from app.types import (
    WRITE_CONFIG,
    HttpUrl,
    Id,
    Kicker,
    LanguageCode,
    LongText,
    Name,
    NoNul,
    Ref,
    ShortText,
    Slug,
    TextPattern,
    Timestamp,
)

# Search engines cut titles and snippets at about these lengths; social cards too.
CardHeadline = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=110),
    NoNul,
    TextPattern,
]
CardDescription = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    NoNul,
    TextPattern,
]


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


class CorrectionNote(BaseModel):
    """A dated note telling readers what changed after publication."""

    model_config = WRITE_CONFIG

    kind: CorrectionKind = Field(
        description="`correction`: something was wrong; `update`: something new was added."
    )
    text: InlineHtml = Field(
        examples=["An earlier version of this article misstated the date of the summit."]
    )
    noted_at: Timestamp = Field(description="When the article was corrected or updated.")


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
    seo_headline: CardHeadline | None = Field(
        default=None, description="The headline search results show; unset, the headline."
    )
    seo_description: CardDescription | None = Field(
        default=None, description="The snippet search results show; unset, the dek."
    )
    social_headline: CardHeadline | None = Field(
        default=None, description="The headline of a shared link's card; unset, the headline."
    )
    social_description: CardDescription | None = Field(
        default=None, description="The text of a shared link's card; unset, the dek."
    )
    social_image_id: Ref | None = Field(
        default=None, description="The picture of a shared link's card; unset, the lead image."
    )
    canonical_url: HttpUrl | None = Field(
        default=None,
        description="Where the article first ran, for a syndicated piece: search engines "
        "credit that page. Unset, the article's own page on the site is canonical.",
        examples=["https://www.partner.example/2026/11/18/the-ceasefire"],
    )
    corrections: list[CorrectionNote] = Field(
        default_factory=list,
        max_length=100,
        description="Corrections and updates, oldest first. The latest note's time becomes "
        "`updated_at` when it is later; `published_at` never moves.",
    )
    updated_at: Timestamp | None = Field(
        default=None,
        description="Shown to readers as the time of the last correction or update: at least "
        "the time of the latest note in `corrections`.",
    )

    @field_validator("corrections")
    @classmethod
    def _oldest_first(cls, notes: list[CorrectionNote]) -> list[CorrectionNote]:
        if any(later.noted_at < earlier.noted_at for earlier, later in pairwise(notes)):
            raise content_rule("must be oldest first: each noted_at at or after the one before")
        return notes

    @model_validator(mode="after")
    def _updated_by_latest_note(self) -> Self:
        # One rule for every write (create, replace, patch, restore): a note is an update.
        if self.corrections:
            latest = self.corrections[-1].noted_at
            if self.updated_at is None or self.updated_at < latest:
                self.updated_at = latest
        return self


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
    web: str | None = Field(
        description="The article's page on the publisher's site, from WEB_URL_TEMPLATE; null "
        "when it is not set.",
        examples=["https://www.meridianledger.example/opinion/the-ceasefire-that-nobody-signed"],
    )
    canonical: str | None = Field(
        description="For `<link rel=canonical>`: the article's `canonical_url` when it first "
        "ran elsewhere, else `web`.",
        examples=["https://www.meridianledger.example/opinion/the-ceasefire-that-nobody-signed"],
    )


class SearchFields(BaseModel):
    """What `<title>` and `<meta name=description>` carry, fallbacks applied."""

    headline: str = Field(description="`seo_headline`, else the headline.")
    description: str | None = Field(description="`seo_description`, else the dek.")


class SocialCard(BaseModel):
    """What a shared link's card shows (Open Graph, X cards), fallbacks applied."""

    headline: str = Field(description="`social_headline`, else the headline.")
    description: str | None = Field(description="`social_description`, else the dek.")
    image: ImagePublic | None = Field(
        description="The social image, else the lead image; its file's 1.91x1 crop, when "
        "served, is the card's picture."
    )


class ArticlePublishedFields(ArticleBase):
    id: Id
    kicker: str | None = Field(description="The label above the headline.", examples=["Op-ed"])
    published_at: datetime
    updated_at: datetime | None = Field(
        description="When the article was last corrected or updated."
    )
    seo: SearchFields


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
    corrections: list[CorrectionNote] = Field(description="Corrections and updates, oldest first.")
    people: list[Mention] = Field(description="People and organizations mentioned, in order.")
    tags: list[TagRef]
    social: SocialCard
    links: ArticleLinks
