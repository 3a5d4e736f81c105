from sqlalchemy import String, Text
from sqlmodel import Field

from app.models.base import Audited, enum_type
from app.models.enums import TagKind


class Tag(Audited, table=True):
    __tablename__ = "tags"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(120), unique=True)
    name: str = Field(sa_type=String(200))
    kind: TagKind = Field(sa_type=enum_type(TagKind))
    description: str | None = Field(default=None, sa_type=Text)
