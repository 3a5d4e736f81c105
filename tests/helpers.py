"""Small assertions shared by the HTTP tests, and `byline serve` for tests of a real server."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import free_port

Json = dict[str, Any]
ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30
MetricSamples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def items(response: httpx.Response) -> list[Json]:
    body = ok(response)
    assert set(body) == {"items", "next_cursor"}
    result: list[Json] = body["items"]
    return result


def slugs(response: httpx.Response) -> list[str]:
    return [item["slug"] for item in items(response)]


def ids(response: httpx.Response) -> list[int]:
    return [item["id"] for item in items(response)]


def problem(response: httpx.Response, status: int) -> Json:
    """Assert an RFC 9457 problem with the request's id, and return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: Json = response.json()
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["type"], str)
    assert body["type"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def walk(client: TestClient, path: str, **params: Any) -> list[list[Json]]:
    """Every page of a list, following next_cursor until it is null."""
    pages: list[list[Json]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor is not None else {})}
        body = ok(client.get(path, params=query))
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 1000, "pagination does not end"


def metric_samples(text: str) -> MetricSamples:
    """Prometheus text as {(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@contextmanager
def running_server(env: dict[str, str], log: Path, *, workers: int) -> Iterator[str]:
    """`byline serve` on a free port, with these environment variables added and its
    output (stdout and stderr) in `log`; yields its base URL, always stops it."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("byline")),
        "serve",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as output:
        # A session of its own, so the workers can be stopped with it if it hangs.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server was not ready in {STARTUP_SECONDS}s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        stop(process)


def stop(process: "subprocess.Popen[bytes]") -> None:
    """Stops a server started in a session of its own: gracefully, or the whole group."""
    if process.poll() is not None:
        return
    process.terminate()  # uvicorn's graceful shutdown: lifespan shutdown runs in each worker
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
