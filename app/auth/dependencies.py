"""Bearer authentication: who is calling, and whether their token has the scope."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from app.auth.scopes import Scope, granted_scopes
from app.auth.service import active_token
from app.db import SessionDep
from app.errors import Forbidden, Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An API token from `byline tokens create` or POST /v1/manage/tokens.",
)


@dataclass(frozen=True)
class Principal:
    """The caller of a management request, named in audit fields."""

    token_id: int
    name: str
    scopes: frozenset[Scope]


def authenticate(
    security_scopes: SecurityScopes,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    challenge = 'Bearer realm="byline"'
    if credentials is None:
        raise Unauthorized(
            "This operation needs a bearer token.", headers={"WWW-Authenticate": challenge}
        )
    token = active_token(session, credentials.credentials)
    if token is None or token.id is None:
        raise Unauthorized(
            "The bearer token is unknown or revoked.",
            headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'},
        )
    needed = security_scopes.scopes
    granted = granted_scopes(token.scopes)
    if not set(needed) <= granted:
        raise Forbidden(
            f"The token {token.name!r} lacks the scope {' '.join(needed)}.",
            headers={
                "WWW-Authenticate": f'{challenge}, error="insufficient_scope", '
                f'scope="{" ".join(needed)}"'
            },
        )
    return Principal(token_id=token.id, name=token.name, scopes=granted)


Reader = Annotated[Principal, Security(authenticate, scopes=[Scope.content_read.value])]
Writer = Annotated[Principal, Security(authenticate, scopes=[Scope.content_write.value])]
Publisher = Annotated[Principal, Security(authenticate, scopes=[Scope.content_publish.value])]
AnalyticsWriter = Annotated[Principal, Security(authenticate, scopes=[Scope.analytics_write.value])]
Admin = Annotated[Principal, Security(authenticate, scopes=[Scope.admin.value])]
