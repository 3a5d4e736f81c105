"""A small client for the management API, and payloads to write through it."""

import itertools
from typing import Any

import httpx
from fastapi.testclient import TestClient

Json = dict[str, Any]
MANAGE = "/v1/manage"
MERGE_PATCH = "application/merge-patch+json"
KINDS = ("articles", "people", "images", "quotes", "tags")

_counter = itertools.count(1)


def n() -> int:
    return next(_counter)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Api:
    """The management API as one token holder sees it."""

    def __init__(self, client: TestClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    def headers(self, **extra: str) -> dict[str, str]:
        return {**bearer(self.secret), **extra}

    def post(self, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return self.request("POST", path, json=body, headers=self.headers(**headers))

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.request("GET", path, params=params, headers=self.headers())

    def put(self, path: str, body: Any, etag: str | None) -> httpx.Response:
        return self.request("PUT", path, json=body, headers=self._if_match(etag))

    def patch(self, path: str, patch: Any, etag: str | None) -> httpx.Response:
        headers = {**self._if_match(etag), "Content-Type": MERGE_PATCH}
        return self.request("PATCH", path, json=patch, headers=headers)

    def delete(self, path: str, etag: str | None) -> httpx.Response:
        return self.request("DELETE", path, headers=self._if_match(etag))

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.request(method, MANAGE + path, **kwargs)
        return response

    def _if_match(self, etag: str | None) -> dict[str, str]:
        return self.headers(**({"If-Match": etag} if etag is not None else {}))

    # The happy paths, asserting their own status.

    def create(self, kind: str, body: Json) -> Json:
        response = self.post(f"/{kind}", body)
        assert response.status_code == 201, response.text
        record: Json = response.json()
        assert response.headers["location"] == f"{MANAGE}/{kind}/{record['id']}"
        return record

    def read(self, kind: str, ident: int) -> tuple[Json, str]:
        response = self.get(f"/{kind}/{ident}")
        assert response.status_code == 200, response.text
        return response.json(), response.headers["etag"]

    def etag(self, kind: str, ident: int) -> str:
        return self.read(kind, ident)[1]

    def replace(self, kind: str, ident: int, body: Json) -> Json:
        response = self.put(f"/{kind}/{ident}", body, self.etag(kind, ident))
        assert response.status_code == 200, response.text
        record: Json = response.json()
        return record

    def update(self, kind: str, ident: int, patch: Json) -> Json:
        response = self.patch(f"/{kind}/{ident}", patch, self.etag(kind, ident))
        assert response.status_code == 200, response.text
        record: Json = response.json()
        return record

    def remove(self, kind: str, ident: int) -> None:
        response = self.delete(f"/{kind}/{ident}", self.etag(kind, ident))
        assert response.status_code == 204, response.text

    def act(self, ident: int, action: str, body: Json | None = None) -> httpx.Response:
        """POST /articles/{id}/{action} with the current ETag."""
        etag = self.etag("articles", ident)
        headers = self.headers(**{"If-Match": etag})
        return self.request("POST", f"/articles/{ident}/{action}", json=body, headers=headers)

    def publish(self, ident: int, publish_at: str | None = None) -> Json:
        body = {"publish_at": publish_at} if publish_at is not None else None
        response = self.act(ident, "publish", body)
        assert response.status_code == 200, response.text
        record: Json = response.json()
        return record


# Minimal valid write payloads; keyword arguments override or add fields.


def person_body(**fields: Any) -> Json:
    return {"kind": "person", "name": f"Person {n()}", **fields}


def organization_body(**fields: Any) -> Json:
    return {"kind": "organization", "name": f"Organization {n()}", **fields}


def tag_body(**fields: Any) -> Json:
    i = n()
    return {"slug": f"tag-{i}", "name": f"Tag {i}", "kind": "topic", **fields}


def image_body(**fields: Any) -> Json:
    i = n()
    return {
        "url": f"https://images.example.org/{i}.jpg",
        "alt_text": f"Photo {i}",
        "credit_line": f"Photographer {i}/Agency",
        **fields,
    }


def quote_body(speaker_id: int, **fields: Any) -> Json:
    return {
        "text": f"Words number {n()}.",
        "kind": "direct",
        "speaker_id": speaker_id,
        "said_on": "2026-11-01",
        **fields,
    }


def article_body(**fields: Any) -> Json:
    i = n()
    return {
        "slug": f"story-{i}",
        "type": "news",
        "headline": f"Headline {i}",
        "body": [{"type": "paragraph", "html": f"Paragraph {i}."}],
        **fields,
    }


def refused_delete(api: Api, kind: str, ident: int) -> list[Json]:
    """Assert a delete is a 409 that changes nothing; return its `used_by`."""
    before, etag = api.read(kind, ident)
    response = api.delete(f"/{kind}/{ident}", etag)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert api.read(kind, ident) == (before, etag)
    used_by: list[Json] = response.json()["used_by"]
    return used_by


def error_locations(response: httpx.Response) -> list[list[str | int]]:
    """The field locations a 422 names."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["location"] for error in response.json()["errors"]]


def openapi_document() -> Json:
    """The app's OpenAPI document, from an app that never touches a database."""
    from app.config import Settings
    from tests.conftest import own_app_client

    with own_app_client(Settings(database_url="sqlite://", log_level="warning")) as client:
        document: Json = client.get("/openapi.json").json()
    return document
