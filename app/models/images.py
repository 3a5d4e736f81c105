from datetime import date

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlmodel import Column, Field, SQLModel

from app.models.base import Audited


class Image(Audited, table=True):
    """A photo and its rights: the credit line as written plus its queryable parts."""

    __tablename__ = "images"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=String(2048))
    alt_text: str = Field(sa_type=String(1000))
    caption: str | None = Field(default=None, sa_type=Text)
    credit_line: str = Field(sa_type=String(500))
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
