"""Tokens over HTTP, for holders of the admin scope."""

from fastapi import APIRouter

from app.auth import service
from app.auth.dependencies import Admin
from app.auth.schemas import TokenCreate, TokenCreated, TokenPublic
from app.auth.scopes import Scope
from app.container import SessionDep, WriteSessionDep
from app.editing.resource import IdentPath
from app.editing.responses import ManagementRoute, manage_description, manage_responses

router = APIRouter(route_class=ManagementRoute, prefix="/tokens", tags=["manage: tokens"])


@router.post(
    "",
    operation_id="createToken",
    summary="Create an API token; its secret is shown only in this response",
    description=manage_description(
        "Creates a token with a name and scopes and returns its record with the secret in `token`.",
        "Keep the secret now: only its SHA-256 hash is stored, and no later response shows it.",
        scope=Scope.admin,
    ),
    status_code=201,
    response_model=TokenCreated,
    responses=manage_responses(422),
)
def create_token(session: WriteSessionDep, principal: Admin, data: TokenCreate) -> TokenCreated:
    token, secret = service.create_token(session, data=data, created_by=principal.name)
    created = TokenCreated.model_validate({**token.model_dump(), "token": secret})
    session.commit()
    return created


@router.get(
    "",
    operation_id="listTokens",
    summary="List API tokens, without their secrets",
    description=manage_description(
        "Every token, revoked ones included, oldest first, with its name, prefix, scopes, "
        "creator and revocation time; the secrets themselves are never stored.",
        scope=Scope.admin,
    ),
    response_model=list[TokenPublic],
    responses=manage_responses(),
)
def list_tokens(session: SessionDep, _principal: Admin) -> list[TokenPublic]:
    return [TokenPublic.model_validate(t.model_dump()) for t in service.list_tokens(session)]


@router.delete(
    "/{ident}",
    operation_id="revokeToken",
    summary="Revoke an API token; it stops working at once",
    description=manage_description(
        "Marks the token revoked and returns its record; from then on a request with it is "
        "a 401. Revoking a revoked token changes nothing.",
        scope=Scope.admin,
    ),
    response_model=TokenPublic,
    responses=manage_responses(404, 422),
)
def revoke_token(session: WriteSessionDep, _principal: Admin, ident: IdentPath) -> TokenPublic:
    token = TokenPublic.model_validate(service.revoke_token(session, token_id=ident).model_dump())
    session.commit()
    return token
