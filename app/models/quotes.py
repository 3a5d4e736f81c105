from datetime import date

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlmodel import Column, Field

from app.models.base import Audited, enum_type
from app.models.enums import QuoteKind


class Quote(Audited, table=True):
    """Words someone said, once, reusable across articles."""

    __tablename__ = "quotes"
    __table_args__ = (Index(None, "speaker_id", "said_on", "id"), Index(None, "said_on", "id"))

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    kind: QuoteKind = Field(sa_type=enum_type(QuoteKind))
    speaker_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="RESTRICT"), nullable=False)
    )
    speaker_role: str | None = Field(default=None, sa_type=String(200))
    said_on: date
    place: str | None = Field(default=None, sa_type=String(200))
    context: str | None = Field(default=None, sa_type=String(500))
    source_url: str | None = Field(default=None, sa_type=String(2048))
    language: str = Field(default="en", sa_type=String(16))
