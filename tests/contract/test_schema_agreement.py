"""The schema says what the server accepts: what it calls valid is taken, what it calls
invalid is refused, and a 422 for valid-looking input says why in its problem type."""

import re
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_token
from tests.helpers import problem
from tests.manage.support import Api, image_body, person_body, quote_body

URLS = [
    "https://example.org",
    "http://example.org:8080/photos/a.jpg?size=large#top",
    "https://example.org/" + "a" * 2028,
    "https://example.org/" + "a" * 2029,
    "HTTP://example.org/upper-case-scheme",
    "http://",
    "http:///no-host",
    "https://example.org/with space",
    "https://exämple.org/",
    "http://[::1/",
    "ftp://example.org/file",
]


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    return Api(client, make_token(session, "content:write"))


@pytest.mark.parametrize("url", URLS)
def test_server_takes_exactly_the_urls_the_schema_declares(
    app: FastAPI, api: Api, url: str
) -> None:
    field = app.openapi()["components"]["schemas"]["ImageCreate"]["properties"]["url"]
    # Optional: a URL or null.
    (declared,) = [branch for branch in field["anyOf"] if branch.get("type") == "string"]
    assert declared["format"] == "uri"
    schema_valid = bool(re.search(declared["pattern"], url)) and len(url) <= declared["maxLength"]

    response = api.post("/images", image_body(url=url))

    assert response.status_code == (201 if schema_valid else 422), response.text


@pytest.mark.parametrize("name", ["Elin Haugland", " x ", " ", "\t\n", "a\x00b", "\x00"])
def test_server_takes_exactly_the_texts_the_schema_declares(
    app: FastAPI, api: Api, name: str
) -> None:
    declared = app.openapi()["components"]["schemas"]["PersonCreate"]["properties"]["name"]
    schema_valid = bool(re.search(declared["pattern"], name)) and len(name) >= 1

    response = api.post("/people", person_body(name=name))

    assert response.status_code == (201 if schema_valid else 422), response.text


def test_an_integral_number_is_an_integer(api: Api) -> None:
    """JSON Schema counts 800.0 as an integer; so does the server, and still not 800.5."""
    created = api.post("/images", image_body(width=800.0))
    fraction = api.post("/images", image_body(width=800.5))

    assert created.status_code == 201, created.text
    assert created.json()["width"] == 800
    assert problem(fraction, 422)["type"] == "urn:byline:problem:validation-error"


def test_a_reference_to_nothing_has_its_own_problem_type(api: Api) -> None:
    response = api.post("/quotes", quote_body(2**31 - 1))

    assert problem(response, 422)["type"] == "urn:byline:problem:unknown-reference"


def test_a_reused_idempotency_key_has_its_own_problem_type(api: Api) -> None:
    first = api.post("/people", person_body(), **{"Idempotency-Key": "reused"})
    second = api.post("/people", person_body(), **{"Idempotency-Key": "reused"})

    assert first.status_code == 201, first.text
    assert problem(second, 422)["type"] == "urn:byline:problem:idempotency-key-reused"


def test_views_for_no_published_article_have_their_own_problem_type(
    client: TestClient, session: Session
) -> None:
    secret = make_token(session, "analytics:write")
    row = {"slug": "no-such-article", "viewed_at": datetime.now(UTC).isoformat()}

    response = client.post(
        "/v1/views:batch", json={"rows": [row]}, headers={"Authorization": f"Bearer {secret}"}
    )

    assert problem(response, 422)["type"] == "urn:byline:problem:views-rejected"
