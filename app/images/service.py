"""Writing images and who they show."""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.editing.references import Reference
from app.editing.rows import save_fields
from app.images.schemas import ImageCreate
from app.models import Image, ImageDepiction


def write_image(session: Session, row: Image | None, data: ImageCreate, actor: str) -> Image:
    fields = data.model_dump(exclude={"depicted", "focal_point"})
    focal = data.focal_point
    fields.update(focal_x=focal and focal.x, focal_y=focal and focal.y)
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


def image_contents(session: Session, rows: Sequence[Image]) -> list[ImageCreate]:
    """Each image as a write would send it; one query for who all of them show."""
    depicted: dict[int, list[ImageDepiction]] = {}
    for depiction in session.exec(
        select(ImageDepiction)
        .where(col(ImageDepiction.image_id).in_([row.id for row in rows]))
        .order_by(col(ImageDepiction.image_id), col(ImageDepiction.position))
    ):
        depicted.setdefault(depiction.image_id, []).append(depiction)
    return [
        ImageCreate.model_validate(
            {
                **row.model_dump(include=set(ImageCreate.model_fields) - {"depicted"}),
                "focal_point": None
                if row.focal_x is None or row.focal_y is None
                else {"x": row.focal_x, "y": row.focal_y},
                "depicted": [
                    {"person_id": d.person_id, "frame_position": d.frame_position}
                    for d in depicted.get(row.id or 0, [])
                ],
            }
        )
        for row in rows
    ]


def image_references(data: ImageCreate) -> list[Reference]:
    return [
        Reference("person", d.person_id, ("depicted", i, "person_id"))
        for i, d in enumerate(data.depicted)
    ]
