"""Images as published documents show them: the record, who is pictured, its placement,
and the uploaded file with the URLs of its renditions."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict
from sqlmodel import Session

from app.config import Settings
from app.documents.web import NO_WEB_LINKS, WebLinks
from app.media.geometry import crop_box, output_size, ratio_value
from app.media.renditions import (
    FORMATS,
    ORIGINAL,
    Rendition,
    RenditionRules,
    rendition_path,
    version,
)
from app.models import ImageFile
from app.types import (
    WRITE_CONFIG,
    Day,
    Flag,
    Fraction,
    HttpUrl,
    Id,
    LongText,
    Name,
    Pixels,
    ShortText,
)

IMAGE_URL_EXAMPLE = (
    "https://images.meridianledger.example/2026/10/veresh-security-council-tavrin.jpg"
)


class FocalPoint(BaseModel):
    """Where crops centre: fractions of the width (x, from the left) and height (y, from
    the top) of the image as displayed."""

    model_config = WRITE_CONFIG

    # Strict: a JSON number only, as the schema says, never "0.5" or true.
    x: Annotated[Fraction, Strict()] = Field(examples=[0.5])
    y: Annotated[Fraction, Strict()] = Field(examples=[0.35])


# What a published image carries so a frontend can write <img srcset> and <picture>.

THUMBHASH_SPEC = "https://evanw.github.io/thumbhash/"
RENDITION_URL_EXAMPLE = "/v1/images/7/16x9/w/800.webp?v=3f9a1c0e5b7d2a64"


class RenditionSource(BaseModel):
    """One format of a crop: what a `<source>` element of a `<picture>` carries."""

    format: Literal["avif", "webp", "jpeg"] = Field(examples=["webp"])
    type: str = Field(description="The media type, for `<source type>`.", examples=["image/webp"])
    srcset: str = Field(
        description="Every width of this crop in this format, for `srcset`: each URL with "
        "the width of the file it serves, narrowest first. The URLs are versioned: the "
        "file behind one never changes, so it may be cached for a year.",
        examples=[
            "/v1/images/7/16x9/w/320.webp?v=3f9a1c0e5b7d2a64 320w, "
            "/v1/images/7/16x9/w/640.webp?v=3f9a1c0e5b7d2a64 640w"
        ],
    )


class CropRenditions(BaseModel):
    """The files of one crop in every width and format served: a `<picture>` needs no
    more than this, `<source type srcset>` per entry of `sources` and
    `<img src srcset sizes width height>` from the JPEG."""

    crop: str = Field(
        description='"original" (the whole image) or a ratio, width x height, cut around '
        "the focal point.",
        examples=["16x9"],
    )
    aspect_ratio: float = Field(description="Width divided by height.", examples=[1.7778])
    width: int = Field(description="The width of the largest file of this crop.", examples=[1600])
    height: int = Field(description="The height of the largest file of this crop.", examples=[900])
    src: str = Field(
        description="A JPEG of a middle width, for `<img src>` where srcset is not read.",
        examples=[RENDITION_URL_EXAMPLE.replace(".webp", ".jpeg")],
    )
    sources: list[RenditionSource] = Field(
        description="One per format, best compression first: AVIF, WebP, JPEG."
    )


class ImageFilePublic(BaseModel):
    """The uploaded file of an image, as displayed (EXIF orientation applied), with its
    renditions. Widths are those of the rendition allowlist up to the crop's own: nothing
    is enlarged."""

    width: int = Field(description="In pixels, as displayed.", examples=[4000])
    height: int = Field(description="In pixels, as displayed.", examples=[2667])
    aspect_ratio: float = Field(description="Width divided by height.", examples=[1.4998])
    orientation: Literal["landscape", "portrait", "square"]
    media_type: str = Field(description="The original's type.", examples=["image/jpeg"])
    focal_point: FocalPoint = Field(
        description="Where the crops centre: the image's focal point, else the middle. "
        "For CSS `object-position` when a frontend crops itself."
    )
    placeholder: str = Field(
        description="A ThumbHash of the image, base64: a blurred preview of about 30 bytes "
        f"to show while the file loads; decode it as the spec shows ({THUMBHASH_SPEC}).",
        examples=["1QcSHQRnh493V4dIh4eXh1h4kJUI"],
    )
    dominant_color: str = Field(
        description="The image's dominant colour, #rrggbb, for a background while it loads.",
        pattern=r"^#[0-9a-f]{6}$",
        examples=["#5a6b7c"],
    )
    renditions: list[CropRenditions] = Field(
        description='One per crop served: "original" first, then each ratio.'
    )


class ImageBase(BaseModel):
    url: HttpUrl | None = Field(
        default=None,
        description="Where the image lives elsewhere. Optional: an image whose file is "
        "uploaded to Byline is served from its renditions.",
        examples=[IMAGE_URL_EXAMPLE],
    )
    alt_text: ShortText = Field(
        examples=["A man in a dark suit sits at the head of a long table lined with officials"]
    )
    caption: LongText | None = Field(
        default=None,
        examples=["President Anatol Veresh of Kestria (center) chairs the security council."],
    )
    credit_line: ShortText | None = Field(
        default=None,
        description="The credit exactly as the publisher prints it. Left empty, an "
        "upload fills it from the credit the photographer embedded (IPTC or XMP).",
        examples=["Pavel Drozdan, Kestria Press, Government Pool Photo via AP"],
    )
    photographer: Name | None = Field(default=None, examples=["Pavel Drozdan"])
    provider: Name | None = Field(
        default=None, description="Agency or provider.", examples=["Kestria Press"]
    )
    distributor: Name | None = Field(
        default=None, description="The agency it was distributed via.", examples=["AP"]
    )
    is_pool: Flag = False
    is_file_photo: Flag = False
    is_handout: Flag = False
    screenshot_source: Name | None = Field(
        default=None, description="Where a screenshot was taken.", examples=["X"]
    )
    usage_terms: ShortText | None = Field(
        default=None, examples=["used in accordance with Clause 27a of the Copyright Law"]
    )
    width: Pixels | None = None
    height: Pixels | None = None
    taken_on: Day | None = None
    location: Name | None = Field(default=None, examples=["Tavrin, Kestria"])
    focal_point: FocalPoint | None = Field(
        default=None, description="Where crops centre; unset, the middle of the image."
    )


class DepictedPerson(BaseModel):
    person_id: Id
    name: str
    frame_position: str | None = Field(examples=["center"])


class ImagePublic(ImageBase):
    id: Id
    file: ImageFilePublic | None = Field(
        description="The file uploaded to Byline, with its renditions; null when there is "
        "none (the image may still have a `url` elsewhere)."
    )
    depicted: list[DepictedPerson] = Field(description="Who is pictured, in caption order.")


class PlacedImage(BaseModel):
    """An image as an article places it, with the caption the article prints."""

    caption: str | None = Field(description="The article's caption override, else the image's.")
    image: ImagePublic


@dataclass(frozen=True, slots=True)
class RenditionLinks:
    """What rendition URLs in documents are made of: the allowlist and the origin they are
    served from (None: paths relative to the API's own). Documents are stored, so these
    are baked into them when they are rendered."""

    rules: RenditionRules
    origin: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "RenditionLinks":
        return cls(
            rules=RenditionRules.from_settings(settings),
            origin=settings.image_base_url or settings.public_base_url,
        )


# The settings' own defaults: what a session opened without the app's links renders with.
DEFAULT_LINKS = RenditionLinks(
    RenditionRules(
        widths=tuple(Settings.model_fields["image_widths"].default),
        ratios=tuple(Settings.model_fields["image_ratios"].default),
    )
)
_LINKS_KEY = "byline.rendition_links"
_WEB_KEY = "byline.web_links"


def session_info(links: RenditionLinks, web: WebLinks = NO_WEB_LINKS) -> dict[str, Any]:
    """`Session(info=...)` for sessions that render documents with these links.

    Rendering runs deep inside writes of every kind (publishing, editing a person,
    an image or a tag), which all hold a session and nothing else: the session
    carries the links to them, rendition URLs and article pages alike."""
    return {_LINKS_KEY: links, _WEB_KEY: web}


def rendition_links(session: Session) -> RenditionLinks:
    links: RenditionLinks = session.info.get(_LINKS_KEY, DEFAULT_LINKS)
    return links


def web_links(session: Session) -> WebLinks:
    web: WebLinks = session.info.get(_WEB_KEY, NO_WEB_LINKS)
    return web


def _orientation(width: int, height: int) -> Literal["landscape", "portrait", "square"]:
    if width == height:
        return "square"
    return "landscape" if width > height else "portrait"


def _crop_size(file: ImageFile, crop: str, focal: FocalPoint) -> tuple[int, int]:
    if crop == ORIGINAL:
        return file.width, file.height
    box = crop_box(file.width, file.height, ratio_value(crop), focal.x, focal.y)
    return box.width, box.height


def _crop_renditions(
    image_id: int, crop: str, size: tuple[int, int], version: str, links: RenditionLinks
) -> CropRenditions:
    crop_width, crop_height = size
    # Never enlarged: widths up to the crop's own, or the narrowest served at the crop's size.
    widths = [w for w in links.rules.widths if w <= crop_width] or [links.rules.widths[0]]
    files = [(w, output_size(crop_width, crop_height, w)) for w in widths]
    prefix = links.origin or ""

    def url(width: int, format: str) -> str:
        return prefix + rendition_path(image_id, Rendition(crop, width, format), version)

    largest_width, largest_height = files[-1][1]
    return CropRenditions(
        crop=crop,
        aspect_ratio=round(crop_width / crop_height, 4),
        width=largest_width,
        height=largest_height,
        src=url(widths[len(widths) // 2], "jpeg"),
        sources=[
            RenditionSource(
                format=format,
                type=media_type,
                srcset=", ".join(f"{url(w, format)} {real[0]}w" for w, real in files),
            )
            for format, media_type in FORMATS.items()
        ],
    )


def image_file_public(
    image_id: int,
    file: ImageFile,
    *,
    focal_x: float | None,
    focal_y: float | None,
    links: RenditionLinks,
) -> ImageFilePublic:
    """The file as documents and the management record show it, with a versioned URL for
    every rendition (see app.media.renditions); `links` are the session's
    (`rendition_links(session)`), so every view of an image names the same URLs."""
    focal = FocalPoint(x=0.5 if focal_x is None else focal_x, y=0.5 if focal_y is None else focal_y)
    current = version(file.sha256, focal_x, focal_y)
    return ImageFilePublic(
        width=file.width,
        height=file.height,
        aspect_ratio=round(file.width / file.height, 4),
        orientation=_orientation(file.width, file.height),
        media_type=file.media_type,
        focal_point=focal,
        placeholder=file.placeholder,
        dominant_color=file.dominant_color,
        renditions=[
            _crop_renditions(image_id, crop, _crop_size(file, crop, focal), current, links)
            for crop in links.rules.crops
        ],
    )


def largest_jpeg(file: dict[str, Any]) -> tuple[str, str, int, int]:
    """URL, media type, width and height of the widest JPEG of the whole picture, read
    from a stored document's `file` block (feeds and sitemaps name one file per image)."""
    # The original crop comes first; its JPEG srcset runs narrowest first.
    original = file["renditions"][0]
    jpeg = next(source for source in original["sources"] if source["format"] == "jpeg")
    url: str = jpeg["srcset"].split(", ")[-1].rsplit(" ", 1)[0]
    return url, jpeg["type"], original["width"], original["height"]
