from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.base import enum_type
from app.models.enums import TagKind


class Tag(SQLModel, table=True):
    __tablename__ = "tags"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(120), unique=True)
    name: str = Field(sa_type=String(120))
    kind: TagKind = Field(sa_type=enum_type(TagKind))
    description: str | None = Field(default=None, sa_type=Text)
