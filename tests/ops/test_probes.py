"""Liveness and readiness probes."""

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.config import Settings
from tests.conftest import own_app_client
from tests.helpers import ok
from tests.processes import free_port


def test_healthz_says_the_process_is_up(client: TestClient) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}


def test_readyz_says_the_database_answers(client: TestClient) -> None:
    assert ok(client.get("/readyz")) == {
        "status": "ready",
        "databases": {"primary": "ready"},
        "replica_lag_seconds": None,
        "image_store": "ready",
    }


def test_readyz_fails_while_the_image_store_cannot_be_reached(app_settings: Settings) -> None:
    unreachable = app_settings.model_copy(
        update={
            "image_storage": "s3",
            "s3_bucket": "images",
            "s3_endpoint_url": f"http://127.0.0.1:{free_port()}",
            "s3_region": "us-east-1",
            "s3_access_key_id": "key",
            "s3_secret_access_key": SecretStr("secret"),
        }
    )
    with own_app_client(unreachable) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["type"] == "urn:byline:problem:storage-unavailable"
    assert response.headers["retry-after"]
