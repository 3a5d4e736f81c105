"""Tags as published documents embed them."""

from pydantic import BaseModel, ConfigDict

from app.models.enums import TagKind
from app.types import Id, Name, Slug


class TagBase(BaseModel):
    slug: Slug
    name: Name
    kind: TagKind


class TagRef(TagBase):
    """A tag as embedded in an article."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 3, "slug": "diplomacy", "name": "Diplomacy", "kind": "topic"}]
        }
    )

    id: Id
