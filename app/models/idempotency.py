from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST sent with an Idempotency-Key, replayed on repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(
        sa_column=Column(Integer, ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(sa_type=String(255))
    request_hash: str = Field(sa_type=String(64))
    status_code: int | None = None
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
