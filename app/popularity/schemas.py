from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, Strict

from app.documents.articles import ArticleSummary
from app.pagination import Page
from app.popularity.windows import Window
from app.types import WRITE_CONFIG, IntegralNumber, Name, Slug, Timestamp

MAX_BATCH_ROWS = 10_000


class ViewBeacon(BaseModel):
    """The optional body of a beacon; `navigator.sendBeacon` may send it as text/plain."""

    model_config = WRITE_CONFIG

    visitor_id: Name | None = Field(
        default=None,
        description="A stable id for the reader (a first-party cookie, say); repeat views "
        "by the same visitor within 30 minutes count once. Stored only as a hash.",
        examples=["6f1c2e9a-3b7d-4f0e-9a51-2c8e7d4b1a90"],
    )


class ViewRow(BaseModel):
    model_config = WRITE_CONFIG

    slug: Slug
    viewed_at: Timestamp = Field(description="Counted in the hour that holds this instant.")
    count: Annotated[int, Field(ge=1, le=1_000_000), Strict(), IntegralNumber] = 1


class ViewBatch(BaseModel):
    model_config = WRITE_CONFIG

    rows: list[ViewRow] = Field(min_length=1, max_length=MAX_BATCH_ROWS)


class ViewBatchResult(BaseModel):
    rows: int = Field(description="Rows accepted.")
    views: int = Field(description="Views added.")


class PopularArticle(ArticleSummary):
    views: int = Field(description="Page views in the window.")


class PopularPage(Page[PopularArticle]):
    window: Window
    since: datetime = Field(description="The start of the window: views since then count.")
