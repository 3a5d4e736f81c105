from pydantic import ConfigDict, Field

from app.documents.people import AffiliationBase, Link, PersonBase, PersonPublic
from app.editing.schemas import RecordMeta
from app.pagination import Page
from app.types import WRITE_CONFIG, LongText, Ref, ShortText


class AffiliationCreate(AffiliationBase):
    model_config = WRITE_CONFIG


class PersonCreate(PersonBase):
    model_config = WRITE_CONFIG

    bio: LongText | None = None
    bio_line: ShortText | None = Field(
        default=None,
        description="The line under the person's name, exactly as the publication prints it. "
        "Null: documents show a line built from `affiliations` (the record keeps only what "
        "an editor wrote, so a read-modify-write never freezes a generated line).",
        examples=[
            "Executive Director of BRIDGE; senior fellow at the Example Council; "
            "former member of Parliament"
        ],
    )
    headshot_image_id: Ref | None = None
    links: list[Link] = Field(default_factory=list, max_length=20)
    affiliations: list[AffiliationCreate] = Field(default_factory=list, max_length=20)


class AuthorPublic(PersonPublic):
    model_config = ConfigDict(title="Author")

    article_count: int = Field(description="Published articles with this author in the byline.")


class PersonRecord(RecordMeta, PersonCreate):
    """A person or organization as the management API reads and writes it."""


class PersonRecordPage(Page[PersonRecord]):
    pass
