"""Writing images and who they show."""

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.editing.references import Reference
from app.editing.rows import save_fields
from app.images.schemas import ImageCreate
from app.models import Image, ImageDepiction


def write_image(session: Session, row: Image | None, data: ImageCreate, actor: str) -> Image:
    fields = data.model_dump(exclude={"depicted"})
    replacing = row is not None
    row = save_fields(session, Image, row, fields, actor)
    if replacing:
        session.execute(delete(ImageDepiction).where(col(ImageDepiction.image_id) == row.id))
    assert row.id is not None
    session.add_all(
        ImageDepiction(
            image_id=row.id,
            person_id=depiction.person_id,
            position=position,
            frame_position=depiction.frame_position,
        )
        for position, depiction in enumerate({d.person_id: d for d in data.depicted}.values())
    )
    session.flush()
    return row


def image_content(session: Session, row: Image) -> ImageCreate:
    depicted = session.exec(
        select(ImageDepiction)
        .where(ImageDepiction.image_id == row.id)
        .order_by(col(ImageDepiction.position))
    ).all()
    return ImageCreate.model_validate(
        {
            **row.model_dump(include=set(ImageCreate.model_fields) - {"depicted"}),
            "depicted": [
                {"person_id": d.person_id, "frame_position": d.frame_position} for d in depicted
            ],
        }
    )


def image_references(data: ImageCreate) -> list[Reference]:
    return [
        Reference("person", d.person_id, ("depicted", i, "person_id"))
        for i, d in enumerate(data.depicted)
    ]
