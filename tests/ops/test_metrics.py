"""GET /metrics: request counts and latencies by route, and page-view outcomes.

The counters live for the whole test process, so each test compares a scrape
taken before with one taken after.
"""

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.helpers import MetricSamples, metric_samples, problem
from tests.popularity.support import beacon

ARTICLE = "/v1/articles/{slug}"


def scrape(client: TestClient) -> MetricSamples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
    return metric_samples(response.text)


def grew(before: MetricSamples, after: MetricSamples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_requests_are_counted_by_route_template_method_and_status(
    client: TestClient, session: Session
) -> None:
    first, second = factories.article(session), factories.article(session)
    before = scrape(client)

    for slug in (first.slug, second.slug, "no-such-article"):
        client.get(f"/v1/articles/{slug}")
    client.head(f"/v1/articles/{first.slug}")
    client.get(f"/v1/articles/{first.slug}/nothing-here")
    client.request("BREW", f"/v1/articles/{first.slug}")
    after = scrape(client)

    requests = "byline_http_requests_total"
    assert grew(before, after, requests, method="GET", route=ARTICLE, status="200") == 2
    assert grew(before, after, requests, method="GET", route=ARTICLE, status="404") == 1
    assert grew(before, after, requests, method="HEAD", route=ARTICLE, status="200") == 1
    assert grew(before, after, requests, method="GET", route="unmatched", status="404") == 1
    # A made-up method is counted, under a label of its own that cannot multiply.
    assert grew(before, after, requests, method="other", route=ARTICLE, status="405") == 1
    assert not [labels for _, labels in after if ("method", "BREW") in labels]
    latency = "byline_http_request_duration_seconds_count"
    assert grew(before, after, latency, method="GET", route=ARTICLE) == 3
    # Routes are named by template: no slug ever becomes a label of its own.
    routes = {dict(labels).get("route", "") for _, labels in after}
    assert not [r for r in routes if first.slug in r or "no-such-article" in r]


def test_the_docs_and_the_openapi_document_are_counted_by_their_route(
    client: TestClient,
) -> None:
    script = next(
        line.split('"')[1]
        for line in client.get("/docs").text.splitlines()
        if "<script src" in line
    )
    before = scrape(client)

    for path in ("/docs", "/redoc", "/openapi.json", script):
        assert client.get(path).status_code == 200, path
    after = scrape(client)

    requests = "byline_http_requests_total"
    for route in ("/docs", "/redoc", "/openapi.json", "/docs/assets/{version}/{path}"):
        assert grew(before, after, requests, method="GET", route=route, status="200") == 1, route
    assert grew(before, after, requests, method="GET", route="unmatched", status="200") == 0


def test_page_view_beacons_are_counted_by_outcome(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    visitor = '{"visitor_id": "reader-1"}'
    before = scrape(client)

    for _ in range(2):
        assert beacon(client, article.slug, visitor).status_code == 202
    assert beacon(client, article.slug, user_agent="Googlebot/2.1").status_code == 202
    assert beacon(client, "no-such-article").status_code == 404
    after = scrape(client)

    views = "byline_page_views_total"
    assert grew(before, after, views, outcome="counted") == 1
    assert grew(before, after, views, outcome="repeat") == 1
    assert grew(before, after, views, outcome="bot") == 1


def test_imported_views_are_counted(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    secret = factories.token(session, "analytics:write")
    at = datetime.now(UTC).isoformat()
    rows = [{"slug": article.slug, "viewed_at": at, "count": n} for n in (3, 4)]
    before = scrape(client)

    imported = client.post(
        "/v1/views:batch", json={"rows": rows}, headers={"Authorization": f"Bearer {secret}"}
    )
    refused = client.post(
        "/v1/views:batch",
        json={"rows": [{"slug": "no-such-article", "viewed_at": at}]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    after = scrape(client)

    assert imported.status_code == 200, imported.text
    assert refused.status_code == 422, refused.text
    assert grew(before, after, "byline_imported_views_total") == 7


def test_metrics_can_be_turned_off(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.settings, "metrics_enabled", False)

    problem(client.get("/metrics"), 404)
