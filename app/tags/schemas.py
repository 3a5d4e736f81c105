from app.documents.tags import TagBase, TagRef
from app.editing.schemas import RecordMeta
from app.pagination import Page
from app.types import WRITE_CONFIG, LongText


class TagCreate(TagBase):
    model_config = WRITE_CONFIG

    description: LongText | None = None


class TagPublic(TagRef):
    description: str | None
    article_count: int


class TagPage(Page[TagPublic]):
    pass


class TagRecord(RecordMeta, TagCreate):
    """A tag as the management API reads and writes it."""


class TagRecordPage(Page[TagRecord]):
    pass
