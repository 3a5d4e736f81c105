from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from app.models.base import Audited, JSONType, enum_type
from app.models.enums import PersonKind


class Person(Audited, table=True):
    """A person or an organization: authors, officials, institutions that speak."""

    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    kind: PersonKind = Field(sa_type=enum_type(PersonKind))
    name: str = Field(sa_type=String(200))
    sort_name: str | None = Field(default=None, sa_type=String(200))
    description: str | None = Field(default=None, sa_type=String(500))
    bio: str | None = Field(default=None, sa_type=Text)
    # Written by an editor and printed as is; when null the line is built from affiliations.
    bio_line: str | None = Field(default=None, sa_type=String(500))
    headshot_image_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("images.id", ondelete="SET NULL"), nullable=True),
    )
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)


class Affiliation(SQLModel, table=True):
    """One entry of a bio line: a role at an organization, current or former."""

    __tablename__ = "affiliations"
    __table_args__ = (UniqueConstraint("person_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    role: str = Field(sa_type=String(200))
    organization: str | None = Field(default=None, sa_type=String(200))
    organization_full_name: str | None = Field(default=None, sa_type=String(500))
    organization_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    )
    is_current: bool = True
    note: str | None = Field(default=None, sa_type=String(200))
