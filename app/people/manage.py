from app.documents.refs import RefKind
from app.editing.resource import Phrases, Resource
from app.models import Person
from app.people.schemas import PersonCreate, PersonRecord, PersonRecordPage
from app.people.service import person_content, person_references, write_person

people = Resource(
    kind="person",
    singular="Person",
    plural="People",
    path="/people",
    phrases=Phrases(one="a person or organization", many="people and organizations"),
    row=Person,
    create_schema=PersonCreate,
    record_schema=PersonRecord,
    page_schema=PersonRecordPage,
    references=person_references,
    write=write_person,
    content=person_content,
    ref_kind=RefKind.person,
)
