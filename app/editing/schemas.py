from datetime import datetime

from pydantic import BaseModel, Field


class RecordMeta(BaseModel):
    """Read-only fields every managed record carries; a write naming them is a 422."""

    id: int
    version: int = Field(description="Bumped by every write; the ETag encodes it.")
    created_at: datetime
    created_by: str | None = Field(description="The name of the token that created it.")
    modified_at: datetime
    modified_by: str | None = Field(description="The name of the token that last changed it.")
