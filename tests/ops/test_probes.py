"""Liveness and readiness probes."""

from fastapi.testclient import TestClient

from tests.helpers import ok


def test_healthz_says_the_process_is_up(client: TestClient) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}


def test_readyz_says_the_database_answers(client: TestClient) -> None:
    assert ok(client.get("/readyz")) == {
        "status": "ready",
        "databases": {"primary": "ready"},
        "replica_lag_seconds": None,
    }
