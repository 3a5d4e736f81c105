from datetime import datetime

from pydantic import BaseModel, Field

from app.auth.scopes import Scope
from app.types import WRITE_CONFIG, Id, Name


class TokenCreate(BaseModel):
    model_config = WRITE_CONFIG

    name: Name = Field(examples=["newsroom-cms"])
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))


class TokenPublic(BaseModel):
    id: Id
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    scopes: list[Scope]
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The bearer token. It is shown only in this response.")
