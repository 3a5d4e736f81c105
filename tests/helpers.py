"""Small assertions shared by the HTTP tests."""

from http import HTTPStatus
from typing import Any

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

Json = dict[str, Any]
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
