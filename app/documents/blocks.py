"""Body blocks as editors write them, and as readers get them resolved.

Stored blocks reference images and quotes by id; the published document
replaces each reference with the record it points to.
"""

from html import unescape
from typing import Annotated, Literal
from urllib.parse import urlsplit

import nh3
from pydantic import AfterValidator, BaseModel, Field

from app.documents.images import PlacedImage
from app.documents.quotes import QuotePublic
from app.types import WRITE_CONFIG, HttpUrl, LongText, Name, Ref, ShortText

INLINE_TAGS = frozenset({"a", "em", "strong", "i", "b", "br"})
# The "*" entry is not a wildcard grant: it replaces nh3's default of keeping
# `title` and `lang` on every tag.
INLINE_ATTRIBUTES: dict[str, frozenset[str]] = {"a": frozenset({"href"}), "*": frozenset()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener"
MAX_HTML_LENGTH = 20_000  # LongText's bound, checked again on the cleaned text
# Browsers trim these around a URL attribute, so "  https://x" is a working link.
_URL_PADDING = " \t\n\f\r"


def _is_absolute_link(href: str) -> bool:
    # nh3 checks the scheme only when there is one, so "//evil.example" passes
    # it as relative; browsers also read a backslash as a slash and drop tabs
    # and newlines, which turns "/\\evil.example" into an off-site link.
    if "\\" in href or any(ord(char) < 0x20 or ord(char) == 0x7F for char in href):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. an unclosed "[" where an IPv6 host would be
        return False
    if parts.scheme == "mailto":
        return bool(parts.path)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _keep_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "href":
        return value
    href = value.strip(_URL_PADDING)
    return href if _is_absolute_link(href) else None


def sanitize_inline_html(html: str) -> str:
    """Keep links and emphasis, drop every other tag and attribute, and every link
    that is not an absolute http(s) or mailto URL (the text stays)."""
    return nh3.clean(
        html,
        tags=set(INLINE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in INLINE_ATTRIBUTES.items()},
        attribute_filter=_keep_absolute_links,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
    )


def _clean_paragraph(html: str) -> str:
    # The bounds hold for what is stored and served, so they are checked after
    # cleaning: the stored text must validate again whenever it is read back.
    clean = sanitize_inline_html(html)
    if not unescape(nh3.clean(clean, tags=set())).strip():
        raise ValueError("no text is left once disallowed HTML is removed")
    if len(clean) > MAX_HTML_LENGTH:
        raise ValueError(
            f"is over {MAX_HTML_LENGTH:,} characters once cleaned (entities and rel included)"
        )
    return clean


InlineHtml = Annotated[
    LongText,
    AfterValidator(_clean_paragraph),
    Field(
        description="Text with inline <a href>, <em>, <strong>, <i>, <b> and <br> only; "
        "anything else is removed on write. A link keeps its href only if it is an absolute "
        'http(s) or mailto URL, and gets rel="noopener". A paragraph with no text left '
        "after cleaning is refused.",
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
    url: HttpUrl = Field(
        description="The page to embed, e.g. a video or a post.",
        examples=["https://www.youtube.com/watch?v=kR7mLd2xQ4s"],
    )
    provider: Name | None = Field(default=None, examples=["YouTube"])
    title: ShortText | None = Field(
        default=None, examples=["Doha security forum: mediation in the Karsh Valley (full panel)"]
    )


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
