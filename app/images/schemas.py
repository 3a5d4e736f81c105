from datetime import datetime

from pydantic import BaseModel, Field

from app.documents.images import ImageBase, ImageFilePublic
from app.editing.schemas import RecordMeta
from app.pagination import Page
from app.types import WRITE_CONFIG, Name, Ref


class DepictionCreate(BaseModel):
    model_config = WRITE_CONFIG

    person_id: Ref
    frame_position: Name | None = Field(default=None, examples=["center"])


class ImageCreate(ImageBase):
    model_config = WRITE_CONFIG

    depicted: list[DepictionCreate] = Field(default_factory=list, max_length=50)


class ImageFileRecord(ImageFilePublic):
    """The uploaded file as the archive knows it: what documents show (renditions
    included, so editors can preview drafts) and the original as it was received."""

    sha256: str = Field(
        description="SHA-256 of the original's bytes, hex; its ETag when downloaded.",
        pattern=r"^[0-9a-f]{64}$",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    bytes: int = Field(description="The original's size in bytes.", examples=[4718592])
    original_name: str | None = Field(
        description="The file name the upload gave, without directories.",
        examples=["veresh-council.jpg"],
    )
    uploaded_at: datetime
    uploaded_by: str = Field(description="The name of the token that uploaded it.")


class ImageRecord(RecordMeta, ImageCreate):
    """An image as the management API reads and writes it."""

    file: ImageFileRecord | None = Field(
        description="The uploaded file (PUT /v1/manage/images/{id}/file); null when there "
        "is none. Read-only.",
    )


class ImageRecordPage(Page[ImageRecord]):
    pass
