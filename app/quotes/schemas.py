from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from app.documents.quotes import QuoteBase, QuotePublic
from app.editing.schemas import RecordMeta
from app.errors import content_rule
from app.models.quotes import DatePrecision
from app.pagination import Page
from app.types import WRITE_CONFIG, Ref


class QuoteCreate(QuoteBase):
    model_config = WRITE_CONFIG

    speaker_id: Ref | None = Field(
        default=None,
        validate_default=True,
        description="The person or organization who said it; required unless "
        "`speaker_label` names the speaker.",
    )

    @model_validator(mode="before")
    @classmethod
    def _undated_is_unknown(cls, data: Any) -> Any:
        # An omitted precision follows the date, so a quote without a day needs no extra field.
        if isinstance(data, dict) and data.get("said_on") is None:
            return {"said_on_precision": DatePrecision.unknown.value, **data}
        return data

    @field_validator("said_on_precision")
    @classmethod
    def _precision_agrees_with_date(cls, precision: DatePrecision, info: ValidationInfo) -> Any:
        if "said_on" not in info.data:
            return precision  # said_on itself is invalid, and named so already
        said_on = info.data["said_on"]
        if precision is DatePrecision.unknown:
            if said_on is not None:
                raise content_rule("must be day, month or year when said_on is given")
        elif said_on is None:
            raise content_rule(f"is {precision.value}, but said_on is null; give the date")
        elif precision is DatePrecision.month and said_on.day != 1:
            raise content_rule(
                "is month, so said_on must be the first of the month, e.g. 2026-03-01"
            )
        elif precision is DatePrecision.year and (said_on.month, said_on.day) != (1, 1):
            raise content_rule("is year, so said_on must be the first of January, e.g. 2026-01-01")
        return precision

    @field_validator("speaker_id")
    @classmethod
    def _someone_said_it(cls, speaker_id: int | None, info: ValidationInfo) -> int | None:
        # A speaker_label that failed its own validation is not in info.data: no second error.
        if speaker_id is None and "speaker_label" in info.data and not info.data["speaker_label"]:
            raise content_rule("give speaker_id, speaker_label or both")
        return speaker_id


class QuotePage(Page[QuotePublic]):
    pass


class QuoteRecord(RecordMeta, QuoteCreate):
    """A quote as the management API reads and writes it."""


class QuoteRecordPage(Page[QuoteRecord]):
    pass
