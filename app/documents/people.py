"""People and organizations as published documents embed them: a reference or a full card."""

from pydantic import BaseModel, Field

from app.documents.images import ImagePublic
from app.models.enums import PersonKind
from app.types import WRITE_CONFIG, Flag, HttpUrl, Id, Name, Ref, ShortText


class Link(BaseModel):
    model_config = WRITE_CONFIG

    label: Name = Field(examples=["Website"])
    url: HttpUrl = Field(examples=["https://bridge-dialogue.example"])


class AffiliationBase(BaseModel):
    role: Name = Field(examples=["Executive Director"])
    organization: Name | None = Field(default=None, examples=["BRIDGE"])
    organization_full_name: ShortText | None = Field(
        default=None,
        description="The organization's name spelled out when `organization` is an acronym.",
        examples=["Bureau for Regional Initiatives in Dialogue, Governance and Engagement"],
    )
    organization_id: Ref | None = Field(
        default=None, description="The organization's own record, when it has one."
    )
    is_current: Flag = True
    note: Name | None = Field(
        default=None, description="Shown in parentheses, e.g. a party.", examples=["Civic Alliance"]
    )


class AffiliationPublic(AffiliationBase):
    pass


class PersonBase(BaseModel):
    kind: PersonKind
    name: Name = Field(examples=["Elin Haugland"])
    sort_name: Name | None = Field(default=None, examples=["Haugland, Elin"])
    description: ShortText | None = Field(default=None, examples=["Foreign Minister of Norvania"])


class PersonRef(BaseModel):
    """A person or organization as embedded in other documents."""

    id: Id
    kind: PersonKind
    name: str
    description: str | None


class PersonPublic(PersonBase):
    """The full card of a person or organization."""

    id: Id
    bio: str | None
    bio_line: str | None = Field(
        description="The line to print under the name: the one an editor wrote, exactly, or "
        "else the affiliations joined in order.",
        examples=[
            "Executive Director, BRIDGE (Bureau for Regional Initiatives in Dialogue, "
            "Governance and Engagement); former member of Parliament (Civic Alliance)"
        ],
    )
    affiliations: list[AffiliationPublic]
    headshot: ImagePublic | None
    links: list[Link]
