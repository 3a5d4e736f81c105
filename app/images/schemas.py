from pydantic import BaseModel, Field

from app.documents.images import ImageBase
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


class ImageRecord(RecordMeta, ImageCreate):
    """An image as the management API reads and writes it."""


class ImageRecordPage(Page[ImageRecord]):
    pass
