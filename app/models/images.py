from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlmodel import Column, Field, SQLModel

from app.models.base import Audited, UTCDateTime


class Image(Audited, table=True):
    """A photo and its rights: the credit line as written plus its queryable parts."""

    __tablename__ = "images"

    id: int | None = Field(default=None, primary_key=True)
    # Where the image lives elsewhere; optional once Byline holds the file itself.
    url: str | None = Field(default=None, sa_type=String(2048))
    alt_text: str = Field(sa_type=String(1000))
    caption: str | None = Field(default=None, sa_type=Text)
    # Empty until known: an upload fills it from the file's IPTC or XMP credit.
    credit_line: str | None = Field(default=None, sa_type=String(500))
    photographer: str | None = Field(default=None, sa_type=String(200))
    provider: str | None = Field(default=None, sa_type=String(200))
    distributor: str | None = Field(default=None, sa_type=String(200))
    is_pool: bool = False
    is_file_photo: bool = False
    is_handout: bool = False
    screenshot_source: str | None = Field(default=None, sa_type=String(200))
    usage_terms: str | None = Field(default=None, sa_type=String(1000))
    width: int | None = None
    height: int | None = None
    taken_on: date | None = None
    location: str | None = Field(default=None, sa_type=String(200))
    # Where crops centre, as fractions of the width and height; unset is the middle.
    focal_x: float | None = None
    focal_y: float | None = None


class ImageDepiction(SQLModel, table=True):
    """Who is pictured, in caption order, and where they stand in the frame."""

    __tablename__ = "image_depictions"

    image_id: int = Field(
        sa_column=Column(Integer, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    )
    position: int
    frame_position: str | None = Field(default=None, sa_type=String(200))


class ImageFile(SQLModel, table=True):
    """The uploaded file of an image: what it is, where the original is kept, and what
    documents show before the picture loads. Renditions are named from it."""

    __tablename__ = "image_files"

    image_id: int = Field(
        sa_column=Column(Integer, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    )
    # SHA-256 of the original bytes, hex: names the original in storage and versions
    # every rendition.
    sha256: str = Field(sa_type=String(64))
    media_type: str = Field(sa_type=String(40))
    bytes: int = Field(sa_type=BigInteger)
    # As displayed: after the EXIF orientation is applied.
    width: int
    height: int
    # The EXIF orientation the original carries (1-8; 1 when none).
    orientation: int = 1
    original_name: str | None = Field(default=None, sa_type=String(255))
    placeholder: str = Field(sa_type=String(100))  # ThumbHash, base64
    dominant_color: str = Field(sa_type=String(7))  # "#rrggbb"
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    uploaded_by: str = Field(sa_type=String(200))
