"""Creating, listing, revoking and checking API tokens."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.auth.schemas import TokenCreate
from app.auth.tokens import PREFIX_SHOWN, hash_token, new_token
from app.errors import NotFound
from app.models.auth import ApiToken
from app.models.base import utcnow


def create_token(
    session: Session, *, data: TokenCreate, created_by: str | None
) -> tuple[ApiToken, str]:
    secret = new_token()
    token = ApiToken(
        name=data.name,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_SHOWN],
        scopes=sorted({scope.value for scope in data.scopes}),
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session) -> Sequence[ApiToken]:
    return session.exec(select(ApiToken).order_by(col(ApiToken.id))).all()


def revoke_token(session: Session, *, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token has id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
    return token


def active_token(session: Session, secret: str) -> ApiToken | None:
    return session.exec(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(secret), col(ApiToken.revoked_at).is_(None)
        )
    ).first()
