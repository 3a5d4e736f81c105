"""Idempotency-Key for POST: a repeat gets the first response, never a second record."""

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import Header
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response

from app.errors import FieldError, IdempotencyKeyReused
from app.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("location", "etag")


def _fingerprint(request: Request, payload: Any) -> str:
    raw = orjson.dumps([request.method, request.url.path, payload], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(raw).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    return Response(
        record.body or b"",
        status_code=record.status_code or 200,
        headers={**record.headers, "Idempotent-Replayed": "true"},
        media_type="application/json",
    )


def _existing(session: Session, token_id: int, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key
        )
    ).first()


def _check_same_request(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request.",
            errors=[
                FieldError(
                    location=["header", "Idempotency-Key"],
                    message="already used with a different body",
                    type="idempotency_key_reused",
                )
            ],
        )
    return _replay(record)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Any unique string; a repeat of the request with it gets the first "
        "response, and the same key with a different body is a 422.",
        max_length=MAX_KEY_LENGTH,
    ),
]


def begin(
    session: Session, request: Request, key: str | None, *, token_id: int, payload: Any
) -> tuple[IdempotencyRecord | None, Response | None]:
    """Reserve the key in this transaction, or return the response to replay.

    The reservation row is inserted before any work: a concurrent duplicate
    blocks on its unique key until this transaction ends, then replays.
    """
    if key is None:
        return None, None
    fingerprint = _fingerprint(request, payload)
    existing = _existing(session, token_id, key)
    if existing is not None:
        return None, _check_same_request(existing, fingerprint)
    record = IdempotencyRecord(token_id=token_id, key=key, request_hash=fingerprint)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        winner = _existing(session, token_id, key)
        assert winner is not None
        return None, _check_same_request(winner, fingerprint)
    return record, None


def finish(session: Session, record: IdempotencyRecord | None, response: Response) -> None:
    """Store the response with the reservation, in the request's one transaction."""
    if record is None:
        return
    record.status_code = response.status_code
    record.body = bytes(response.body)
    record.headers = {
        name: value for name, value in response.headers.items() if name in REPLAYED_HEADERS
    }
    session.add(record)
    session.flush()
