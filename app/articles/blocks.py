"""Body blocks as editors write them, and as readers get them resolved.

Stored blocks reference images and quotes by id; the published document
replaces each reference with the record it points to.
"""

from typing import Annotated, Literal

import nh3
from pydantic import AfterValidator, BaseModel, Field

from app.images.schemas import PlacedImage
from app.quotes.schemas import QuotePublic
from app.types import WRITE_CONFIG, HttpUrl, LongText, Name, Ref, ShortText

INLINE_TAGS = frozenset({"a", "em", "strong", "i", "b", "br"})
INLINE_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_inline_html(html: str) -> str:
    """Keep links and emphasis, drop every other tag and attribute."""
    return nh3.clean(
        html,
        tags=set(INLINE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in INLINE_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
    )


InlineHtml = Annotated[
    LongText,
    AfterValidator(sanitize_inline_html),
    Field(
        description="Text with inline <a href>, <em>, <strong>, <i>, <b> and <br> only; "
        "anything else is removed on write.",
        examples=[
            'Talks resumed in <a href="https://example.org/talks">Geneva</a> on <em>Monday</em>.'
        ],
    ),
]


class ParagraphBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["paragraph"] = "paragraph"
    html: InlineHtml


class HeadingBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["heading"] = "heading"
    level: Literal[2, 3, 4] = 2
    text: ShortText


class PullQuoteBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["pull_quote"] = "pull_quote"
    text: ShortText
    attribution: Name | None = None


class EmbedBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["embed"] = "embed"
    url: HttpUrl
    provider: Name | None = None
    title: ShortText | None = None


class ImageBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["image"] = "image"
    image_id: Ref
    caption: LongText | None = Field(
        default=None, description="Overrides the image's own caption in this article."
    )


class QuoteBlock(BaseModel):
    model_config = WRITE_CONFIG
    type: Literal["quote"] = "quote"
    quote_id: Ref


BodyBlock = Annotated[
    ParagraphBlock | HeadingBlock | ImageBlock | QuoteBlock | PullQuoteBlock | EmbedBlock,
    Field(discriminator="type"),
]


class ResolvedImageBlock(PlacedImage):
    type: Literal["image"] = "image"


class ResolvedQuoteBlock(BaseModel):
    type: Literal["quote"] = "quote"
    quote: QuotePublic


ResolvedBlock = Annotated[
    ParagraphBlock
    | HeadingBlock
    | ResolvedImageBlock
    | ResolvedQuoteBlock
    | PullQuoteBlock
    | EmbedBlock,
    Field(discriminator="type"),
]
