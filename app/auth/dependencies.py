"""Bearer authentication: who is calling, and whether their token has the scope."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.auth.scopes import Scope, granted_scopes
from app.auth.service import active_token
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


# Where AuthenticatedRoute leaves the Principal for `authenticate` to hand on.
PRINCIPAL_STATE = "principal"


def authorize(
    session: Session, credentials: HTTPAuthorizationCredentials | None, needed: Sequence[str]
) -> Principal:
    """The one check of a bearer token: known, not revoked, and holding the scopes."""
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


async def authenticate(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, as AuthenticatedRoute found it before the body was read.

    Declared through `Security(authenticate, scopes=...)`, which is where the
    route reads the scopes to check and OpenAPI lists the scheme and scopes.
    """
    principal = getattr(request.state, PRINCIPAL_STATE, None)
    if not isinstance(principal, Principal):
        raise RuntimeError(f"{request.url.path} must be served by an AuthenticatedRoute")
    return principal


Reader = Annotated[Principal, Security(authenticate, scopes=[Scope.content_read.value])]
Writer = Annotated[Principal, Security(authenticate, scopes=[Scope.content_write.value])]
Publisher = Annotated[Principal, Security(authenticate, scopes=[Scope.content_publish.value])]
AnalyticsWriter = Annotated[Principal, Security(authenticate, scopes=[Scope.analytics_write.value])]
Admin = Annotated[Principal, Security(authenticate, scopes=[Scope.admin.value])]
