"""Writing images and who they show."""

from sqlmodel import Session

from app.images.schemas import ImageCreate
from app.models import Image, ImageDepiction


def create_image(session: Session, *, data: ImageCreate) -> Image:
    image = Image.model_validate(data.model_dump(exclude={"depicted"}))
    session.add(image)
    session.flush()
    assert image.id is not None
    session.add_all(
        ImageDepiction(
            image_id=image.id,
            person_id=depiction.person_id,
            position=position,
            frame_position=depiction.frame_position,
        )
        for position, depiction in enumerate(data.depicted)
    )
    session.flush()
    return image
