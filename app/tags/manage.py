from app.documents.refs import RefKind
from app.editing.resource import Phrases, Resource
from app.models import Tag
from app.tags.schemas import TagCreate, TagRecord, TagRecordPage
from app.tags.service import tag_content, write_tag

tags = Resource(
    kind="tag",
    singular="Tag",
    plural="Tags",
    path="/tags",
    phrases=Phrases(one="a tag", many="tags"),
    row=Tag,
    create_schema=TagCreate,
    record_schema=TagRecord,
    page_schema=TagRecordPage,
    references=lambda _data: [],
    write=write_tag,
    content=tag_content,
    ref_kind=RefKind.tag,
)
