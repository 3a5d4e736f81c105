"""An authenticated operation checks the token before it looks at the body."""

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.editing.preconditions import record_etag
from tests import factories
from tests.factories import make_token
from tests.helpers import problem
from tests.manage.support import bearer, openapi_document

MALFORMED = b'{"name": "unfinished'


def _operations_with_a_body() -> list[tuple[str, str, list[str]]]:
    """(method, path, scopes) of every operation that takes a body and needs a token."""
    return [
        (method.upper(), path, requirement["bearerAuth"])
        for path, operations in openapi_document()["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
        for requirement in operation.get("security", [])
        if "bearerAuth" in requirement
    ]


OPERATIONS = _operations_with_a_body()


def test_the_operations_include_management_writes_and_view_imports() -> None:
    paths = {path for _, path, _ in OPERATIONS}

    assert "/v1/manage/articles" in paths
    assert "/v1/manage/articles/{ident}/publish" in paths
    assert "/v1/views:batch" in paths


def _send(
    client: TestClient,
    method: str,
    template: str,
    headers: dict[str, str] | None = None,
    ident: int = 1,
) -> httpx.Response:
    path = re.sub(r"\{[a-z_]+\}", str(ident), template)
    response: httpx.Response = client.request(
        method,
        path,
        content=MALFORMED,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    return response


@pytest.mark.parametrize(
    ("method", "path", "scopes"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_malformed_body_without_a_valid_token_is_401(
    client: TestClient, method: str, path: str, scopes: list[str]
) -> None:
    anonymous = _send(client, method, path)
    unknown = _send(client, method, path, bearer("not-a-token"))

    assert problem(anonymous, 401)["type"] == "urn:byline:problem:unauthorized"
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="byline"'
    assert problem(unknown, 401)["type"] == "urn:byline:problem:unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "scopes"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_malformed_body_with_a_token_lacking_the_scope_is_403(
    client: TestClient, session: Session, method: str, path: str, scopes: list[str]
) -> None:
    (needed,) = scopes
    other = "analytics:write" if needed != "analytics:write" else "content:read"
    response = _send(client, method, path, bearer(make_token(session, other)))

    assert problem(response, 403)["type"] == "urn:byline:problem:forbidden"


@pytest.mark.parametrize(
    ("method", "path", "scopes"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_malformed_body_with_a_good_token_is_still_refused_as_malformed(
    client: TestClient, session: Session, method: str, path: str, scopes: list[str]
) -> None:
    headers = bearer(make_token(session, "admin"))
    ident = 1
    if path.endswith("/file"):
        # An upload checks its record and If-Match before it reads a byte of the file:
        # give it both, so the body is what it refuses.
        image = factories.image(session)
        assert image.id is not None
        ident, headers["If-Match"] = image.id, record_etag("image", image.id, image.version)
    response = _send(client, method, path, headers, ident)
    body: dict[str, Any] = response.json()

    assert response.status_code in {400, 422}, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == response.status_code
