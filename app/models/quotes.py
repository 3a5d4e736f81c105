from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlmodel import Column, Field

from app.models.base import Audited, enum_type
from app.models.enums import QuoteKind


class DatePrecision(StrEnum):
    """How much of `said_on` is known. A month keeps the first of the month as the date and a
    year the first of January, so dates of every precision sort together."""

    day = "day"
    month = "month"
    year = "year"
    unknown = "unknown"


class Quote(Audited, table=True):
    """Words someone said, once, reusable across articles."""

    __tablename__ = "quotes"
    __table_args__ = (
        Index(None, "speaker_id", "said_on", "id"),
        Index(None, "said_on", "id"),
        CheckConstraint("speaker_id IS NOT NULL OR speaker_label IS NOT NULL", name="speaker"),
        CheckConstraint(
            "(said_on IS NULL) = (said_on_precision = 'unknown')", name="said_on_precision"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    kind: QuoteKind = Field(sa_type=enum_type(QuoteKind))
    speaker_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="RESTRICT"), nullable=True),
    )
    speaker_label: str | None = Field(default=None, sa_type=String(200))
    speaker_role: str | None = Field(default=None, sa_type=String(200))
    said_on: date | None = None
    said_on_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        sa_column_kwargs={"server_default": DatePrecision.day.value},
    )
    place: str | None = Field(default=None, sa_type=String(200))
    venue: str | None = Field(default=None, sa_type=String(500))
    context: str | None = Field(default=None, sa_type=String(500))
    source_url: str | None = Field(default=None, sa_type=String(2048))
    language: str = Field(default="en", sa_type=String(16))
