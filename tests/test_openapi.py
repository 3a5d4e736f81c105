"""The committed OpenAPI document is the contract; the app must match it and honour it."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth.schemas import TokenCreate
from app.auth.scopes import Scope
from app.auth.service import create_token
from app.config import Settings
from app.container import services_of
from app.demo.loader import load_demo
from app.main import create_app
from app.openapi import render_document
from tests.conftest import Clock

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_document_matches_the_app() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_document(), (
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    )


# "a article", "a image": words that start with a vowel sound take "an".
A_BEFORE_VOWEL = re.compile(r"\ba (?!u(?:s|ni|rl)|one\b|eu)[aeiou]", re.IGNORECASE)


def test_every_operation_is_documented_for_clients(app: FastAPI) -> None:
    document = app.openapi()
    operation_ids = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            operation_ids.append(operation.get("operationId"))
            assert operation.get("summary"), f"{where} has no summary"
            description = operation.get("description", "")
            assert description.strip(), f"{where} has no description"
            assert description != operation["summary"], f"{where} repeats its summary"
            for text in (operation["summary"], description):
                assert not A_BEFORE_VOWEL.search(text), f"{where}: 'a' before a vowel in {text!r}"
            scopes = [s for need in operation.get("security", []) for s in need["bearerAuth"]]
            for scope in scopes:
                assert f"`{scope}`" in description, f"{where} does not name its scope {scope}"
            if not scopes:
                assert "without a token" in description, f"{where} does not say who may call it"
            assert operation.get("tags"), f"{where} has no tag"
            errors = {c: r for c, r in operation["responses"].items() if c[0] in "45"}
            if path.startswith("/v1/"):
                assert errors, f"{where} lists no error responses"
            for code, response in errors.items():
                assert "application/problem+json" in response["content"], f"{where} {code}"
    assert None not in operation_ids
    assert len(operation_ids) == len(set(operation_ids))


IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$")


def test_url_examples_fit_what_they_point_at(app: FastAPI) -> None:
    """An image's URL names an image file; an embed, a link or a source names a page."""
    for name, schema in app.openapi()["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if not field.endswith("url"):
                continue
            where = f"{name}.{field}"
            assert prop.get("examples"), f"{where} has no example"
            is_image = name.startswith("Image") or name == "Thumbnail"
            for example in prop["examples"]:
                assert bool(IMAGE_FILE.search(example)) == is_image, f"{where}: {example}"


# Operations that need a token: the management API and view imports.
AUTHENTICATED = "^/v1/(manage/|views:batch)"


@pytest.fixture
def schema_app(app_settings: Settings, clock: Clock, engine: Engine) -> Iterator[FastAPI]:
    """An app of its own on the same database: the schema run starts and stops it as a
    server does, and its shutdown must not close the app the other tests share."""
    application = create_app(app_settings, clock=clock)
    yield application
    services_of(application).close()


@pytest.fixture
def api_schema(schema_app: FastAPI, session: Session) -> OpenApiSchema:
    load_demo(session)
    session.commit()
    loaded = schemathesis.openapi.from_asgi("/openapi.json", schema_app)

    class AdminToken:
        """Signs each case of the operations that need a token; public ones go out anonymous.

        Registered as schemathesis auth rather than passed as a header at call
        time, so its negative-data check judges the request that was sent, and
        cases that drop the credentials on purpose still expect their 401. A
        fresh token per case means a case that revokes its own token cannot
        turn the cases after it into 401s.
        """

        def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
            _, secret = create_token(
                session,
                data=TokenCreate(name="schemathesis", scopes=[Scope.admin]),
                created_by=None,
            )
            session.commit()
            return secret

        def set(
            self, case: schemathesis.Case[Any], data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    loaded.auth(refresh_interval=None).apply_to(path_regex=AUTHENTICATED)(AdminToken)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")

VALIDATION_ERROR = "urn:byline:problem:validation-error"


@schemathesis.check
def schema_valid_requests_pass_validation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> None:
    """schemathesis.toml must allow 422 for writes that name a record which does not exist or
    reuse an Idempotency-Key; those have problem types of their own. A validation error for a
    request the schema calls valid means the schema does not declare a rule the server applies."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code == 422:
        problem = response.json()
        assert problem["type"] != VALIDATION_ERROR, (
            f"schema-valid input refused by a rule the schema does not declare: {problem}"
        )


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_honours_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
