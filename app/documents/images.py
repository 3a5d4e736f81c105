"""Images as published documents show them: the record, who is pictured, and its placement."""

from pydantic import BaseModel, Field

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

    x: Fraction = Field(examples=[0.5])
    y: Fraction = Field(examples=[0.35])


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
    depicted: list[DepictedPerson] = Field(description="Who is pictured, in caption order.")


class PlacedImage(BaseModel):
    """An image as an article places it, with the caption the article prints."""

    caption: str | None = Field(description="The article's caption override, else the image's.")
    image: ImagePublic
