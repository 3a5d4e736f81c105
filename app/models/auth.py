from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """A bearer token. Only a hash is kept: the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200))
    token_hash: str = Field(sa_type=String(64), unique=True)
    prefix: str = Field(sa_type=String(16))
    scopes: list[str] = Field(default_factory=list, sa_type=JSONType)
    created_by: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
