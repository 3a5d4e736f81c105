from pydantic import BaseModel, ConfigDict

from app.editing.schemas import RecordMeta
from app.models.enums import TagKind
from app.pagination import Page
from app.types import WRITE_CONFIG, Id, LongText, Name, Slug


class TagBase(BaseModel):
    slug: Slug
    name: Name
    kind: TagKind


class TagCreate(TagBase):
    model_config = WRITE_CONFIG

    description: LongText | None = None


class TagRef(TagBase):
    """A tag as embedded in an article."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 3, "slug": "diplomacy", "name": "Diplomacy", "kind": "topic"}]
        }
    )

    id: Id


class TagPublic(TagRef):
    description: str | None
    article_count: int


class TagPage(Page[TagPublic]):
    pass


class TagRecord(RecordMeta, TagCreate):
    """A tag as the management API reads and writes it."""


class TagRecordPage(Page[TagRecord]):
    pass
