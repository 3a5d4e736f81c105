"""Bearer tokens and scopes on every management operation."""

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.service import revoke_token
from app.auth.tokens import hash_token
from app.models.auth import ApiToken
from tests.factories import make_token
from tests.helpers import problem
from tests.manage.support import MANAGE, Api, bearer, openapi_document

SCOPES = ("content:read", "content:write", "content:publish", "admin")
PUBLISHING_ACTIONS = ("/publish", "/unpublish", "/archive")
NO_SUCH_ID = "2147483000"


def _management_operations() -> list[tuple[str, str]]:
    """(method, path template) of every operation under /v1/manage, from the OpenAPI."""
    return [
        (method.upper(), path)
        for path, operations in openapi_document()["paths"].items()
        if path.startswith(MANAGE + "/")
        for method in operations
    ]


OPERATIONS = _management_operations()


def needed_scope(method: str, path: str) -> str:
    """The scope an operation needs, by the rules of issue 3 (not by reading the app)."""
    if path.startswith(MANAGE + "/tokens"):
        return "admin"
    if method == "POST" and path.endswith(PUBLISHING_ACTIONS):
        return "content:publish"
    if method == "GET":
        return "content:read"
    return "content:write"


def granting(scope: str) -> set[str]:
    """The single scopes whose tokens may call an operation needing `scope`."""
    implied = {"content:read": {"content:write", "content:publish"}}.get(scope, set())
    return {scope, "admin", *implied}


def _token(session: Session, secret: str) -> ApiToken:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).one()
    return row


def call(client: TestClient, method: str, template: str, headers: dict[str, str]) -> httpx.Response:
    path = re.sub(r"\{ident\}", NO_SUCH_ID, template).replace("{number}", "1")
    kwargs: dict[str, Any] = {"headers": headers}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    if method == "PATCH":
        kwargs["headers"] = {**headers, "Content-Type": "application/merge-patch+json"}
    response: httpx.Response = client.request(method, path, **kwargs)
    return response


def test_the_matrix_covers_every_kind_of_operation() -> None:
    # Guards the enumeration itself: if it came back short, the matrix would prove little.
    assert len(OPERATIONS) >= 40
    assert {needed_scope(m, p) for m, p in OPERATIONS} == set(SCOPES)
    for kind in ("articles", "people", "images", "quotes", "tags"):
        for method in ("POST", "GET"):
            assert (method, f"{MANAGE}/{kind}") in OPERATIONS
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            assert (method, f"{MANAGE}/{kind}/{{ident}}") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_scope_matrix(client: TestClient, session: Session, method: str, path: str) -> None:
    scope = needed_scope(method, path)

    anonymous = call(client, method, path, {})
    body = problem(anonymous, 401)
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert body["type"] == "urn:byline:problem:unauthorized"

    garbage = call(client, method, path, bearer("byl_not-a-real-token"))
    problem(garbage, 401)
    assert "invalid_token" in garbage.headers["www-authenticate"]

    revoked_secret = make_token(session, *SCOPES)
    revoke_token(session, token_id=_token(session, revoked_secret).id or 0)
    session.commit()
    revoked = call(client, method, path, bearer(revoked_secret))
    problem(revoked, 401)
    assert "invalid_token" in revoked.headers["www-authenticate"]

    for wrong in set(SCOPES) - granting(scope):
        response = call(client, method, path, bearer(make_token(session, wrong)))
        problem(response, 403)
        assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
        assert scope in response.headers["www-authenticate"]

    # A token that grants nothing at all (the API never issues one, but rows can say so).
    empty = make_token(session, "content:read")
    row = _token(session, empty)
    row.scopes = []
    session.add(row)
    session.commit()
    problem(call(client, method, path, bearer(empty)), 403)

    for right in granting(scope):
        response = call(client, method, path, bearer(make_token(session, right)))
        assert response.status_code not in {401, 403}, (right, response.text)
        assert response.status_code < 500, response.text


def test_openapi_declares_the_scope_each_operation_needs(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for method, path in OPERATIONS:
        operation = document["paths"][path][method.lower()]
        assert operation["security"] == [{"bearerAuth": [needed_scope(method, path)]}], path
        assert {"401", "403"} <= set(operation["responses"]), path


def test_public_routes_need_no_token(client: TestClient) -> None:
    assert client.get("/v1/articles").status_code == 200


def test_tokens_over_http(client: TestClient, session: Session) -> None:
    admin = Api(client, make_token(session, "admin", name="ops"))

    created = admin.post("/tokens", {"name": "cms", "scopes": ["content:write"]})

    assert created.status_code == 201, created.text
    token = created.json()
    secret = token["token"]
    assert secret.startswith("byl_")
    assert token["prefix"] == secret[: len(token["prefix"])]
    assert token["scopes"] == ["content:write"]
    assert token["created_by"] == "ops"
    assert token["revoked_at"] is None
    cms = Api(client, secret)
    assert cms.create("tags", {"slug": "via-http", "name": "T", "kind": "topic"})["created_by"] == (
        "cms"
    )

    listed = admin.get("/tokens")
    assert listed.status_code == 200
    assert secret not in listed.text
    assert all("token" not in t and "token_hash" not in t for t in listed.json())
    assert [t["name"] for t in listed.json()] == ["ops", "cms"]

    revoked = admin.delete(f"/tokens/{token['id']}", None)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert secret not in revoked.text
    problem(cms.get("/tags"), 401)
    problem(admin.delete("/tokens/424242", None), 404)


def test_token_writes_are_validated(client: TestClient, session: Session) -> None:
    admin = Api(client, make_token(session, "admin"))

    for body in (
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["root"]},
        {"name": "", "scopes": ["admin"]},
        {"name": "x", "scopes": ["admin"], "token": "byl_chosen-by-me"},
    ):
        assert admin.post("/tokens", body).status_code == 422, body
    assert len(admin.get("/tokens").json()) == 1


def test_tokens_are_stored_hashed(client: TestClient, session: Session) -> None:
    secret = make_token(session, "content:read", name="hashed")

    row = _token(session, secret)

    assert secret not in (row.token_hash, row.prefix)
    assert len(secret) >= 40
    assert row.prefix == secret[: len(row.prefix)]
    assert len(row.prefix) < len(secret) // 2


def test_malformed_authorization_is_401(client: TestClient) -> None:
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "byl_token-without-scheme", ""):
        response = client.get("/v1/manage/articles", headers={"Authorization": header})
        problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
