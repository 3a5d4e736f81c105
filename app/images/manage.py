from app.documents.refs import RefKind
from app.editing.resource import Phrases, Resource
from app.images.schemas import ImageCreate, ImageRecord, ImageRecordPage
from app.images.service import image_content, image_references, write_image
from app.models import Image

images = Resource(
    kind="image",
    singular="Image",
    plural="Images",
    path="/images",
    phrases=Phrases(one="an image", many="images"),
    row=Image,
    create_schema=ImageCreate,
    record_schema=ImageRecord,
    page_schema=ImageRecordPage,
    references=image_references,
    write=write_image,
    content=image_content,
    ref_kind=RefKind.image,
)
