"""GET /metrics: request counts and latencies by route, and page-view outcomes.

The counters live for the whole test process, so each test compares a scrape
taken before with one taken after.
"""

import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.container import services_of
from app.db import create_db_engine
from app.migrate import upgrade
from tests import factories
from tests.helpers import MetricSamples, metric_samples, problem, running_server
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


def test_requests_in_flight_go_up_and_down_with_each_request(
    client: TestClient, session: Session
) -> None:
    article = factories.article(session)
    for path in (f"/v1/articles/{article.slug}", "/v1/articles/no-such-article", "/docs"):
        client.get(path)
    client.post(f"/v1/articles/{article.slug}/views", content=b"not json")

    # The scrape itself is the one request in flight, however many came before it.
    for _ in range(2):
        assert scrape(client)[("byline_http_requests_in_flight", ())] == 1


POOL = "byline_db_pool_{}"


def test_database_pool_gauges_follow_the_pool(client: TestClient, engine: Engine) -> None:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    before = scrape(client)
    assert before[(POOL.format("size"), ())] == pool.size()

    held = [engine.connect() for _ in range(pool.size() + 2)]
    try:
        during = scrape(client)
        assert grew(before, during, POOL.format("checked_out")) == len(held)
        # The pool's own count is the reference: beyond its size, connections overflow.
        assert during[(POOL.format("overflow"), ())] == pool.overflow() >= 2
    finally:
        for connection in held:
            connection.close()
    after = scrape(client)

    assert grew(before, after, POOL.format("checked_out")) == 0
    assert after[(POOL.format("overflow"), ())] == max(0, pool.overflow())


def test_gauges_sum_over_the_live_workers(tmp_path: Path) -> None:
    """Two workers: the gauges add up both, and a worker that crashed stops counting."""
    database = tmp_path / "byline.sqlite3"
    upgrade(f"sqlite:///{database}")
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {"DATABASE_URL": f"sqlite:///{database}", "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    engine = create_db_engine(env["DATABASE_URL"])
    assert isinstance(engine.pool, QueuePool)
    per_worker = engine.pool.size()
    engine.dispose()

    def workers() -> set[int]:
        return {int(path.stem.rsplit("_", 1)[1]) for path in shared.glob("gauge_livesum_*.db")}

    def settled(base: str) -> MetricSamples:
        # A worker's file appears as it imports the app and its pool gauge once it has
        # built its services: wait for both workers to get that far, then scrape.
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=base) as http:
            while True:
                scraped = metric_samples(http.get("/metrics").text)
                if len(workers()) == 2 and scraped[(POOL.format("size"), ())] == 2 * per_worker:
                    return scraped
                assert time.monotonic() < deadline, (workers(), scraped)
                time.sleep(0.1)

    with running_server(env, tmp_path / "server.log", workers=2) as base:
        scraped = settled(base)
        assert scraped[("byline_http_requests_in_flight", ())] == 1

        crashed = min(workers())
        os.kill(crashed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while crashed in workers():
            assert time.monotonic() < deadline, "the crashed worker's gauges were never dropped"
            time.sleep(0.1)
        scraped = settled(base)
        assert scraped[("byline_http_requests_in_flight", ())] == 1


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
    secret = factories.make_token(session, "analytics:write")
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
    monkeypatch.setattr(services_of(app).settings, "metrics_enabled", False)

    problem(client.get("/metrics"), 404)
