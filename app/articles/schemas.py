from datetime import datetime

from pydantic import BaseModel, Field

from app.documents.articles import ArticleCreate, ArticleSummary
from app.editing.schemas import RecordMeta
from app.models.enums import EditorialStatus
from app.pagination import Page
from app.types import WRITE_CONFIG, Timestamp


class ArticlePage(Page[ArticleSummary]):
    pass


class ArticleRecord(RecordMeta, ArticleCreate):
    """An article's draft as the management API reads and writes it."""

    status: EditorialStatus = Field(description="`scheduled` is published with a future time.")
    published_at: datetime | None = Field(description="When readers see (or saw) it.")
    published_by: str | None
    published_revision: int | None = Field(description="The revision readers see.")
    has_unpublished_changes: bool = Field(
        description="The draft differs from what readers see; publish again to show it."
    )


class ArticleRecordPage(Page[ArticleRecord]):
    pass


class PublishRequest(BaseModel):
    model_config = WRITE_CONFIG

    publish_at: Timestamp | None = Field(
        default=None,
        description="Schedule for this time; by default now (a republish keeps the first time).",
    )


class RevisionSummary(BaseModel):
    number: int
    action: str = Field(
        examples=["updated"],
        description="created, updated, restored, published, unpublished or archived.",
    )
    changed_fields: list[str]
    created_at: datetime
    created_by: str | None


class RevisionPublic(RevisionSummary):
    content: ArticleCreate


class RevisionPage(Page[RevisionSummary]):
    pass
