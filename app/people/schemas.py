from pydantic import ConfigDict, Field

from app.documents.people import AffiliationBase, Link, PersonBase, PersonPublic
from app.editing.schemas import RecordMeta
from app.pagination import Page
from app.types import WRITE_CONFIG, LongText, Ref


class AffiliationCreate(AffiliationBase):
    model_config = WRITE_CONFIG


class PersonCreate(PersonBase):
    model_config = WRITE_CONFIG

    bio: LongText | None = None
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
