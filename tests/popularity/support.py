"""Shared pieces of the popularity tests: beacons, the popular list, bucket totals."""

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Article, ViewBucket

Json = dict[str, Any]

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
WINDOWS = ("1h", "24h", "7d", "30d")
# Not database 9: bench/ uses that one, and a bench run would flush our keys (or we its).
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/12")


def beacon(
    client: TestClient,
    slug: str,
    content: bytes | str | None = None,
    *,
    user_agent: str | None = BROWSER_UA,
    **headers: str,
) -> httpx.Response:
    """POST one page view the way a browser does; user_agent=None sends no User-Agent."""
    sent = {**headers}
    if user_agent is not None:
        sent["User-Agent"] = user_agent
    request = client.build_request(
        "POST", f"/v1/articles/{slug}/views", content=content, headers=sent
    )
    if user_agent is None:
        del request.headers["User-Agent"]
    response: httpx.Response = client.send(request)
    return response


def visitor(client: TestClient, slug: str, visitor_id: str) -> httpx.Response:
    """A beacon with a visitor id, sent as navigator.sendBeacon sends a string."""
    body = '{"visitor_id": "' + visitor_id + '"}'
    return beacon(client, slug, body, **{"Content-Type": "text/plain;charset=UTF-8"})


def popular_page(client: TestClient, **params: Any) -> Json:
    response = client.get("/v1/popular", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: Json = response.json()
    assert set(body) == {"items", "next_cursor", "window", "since"}
    assert body["next_cursor"] is None
    return body


def ranking(client: TestClient, **params: Any) -> list[tuple[int, int]]:
    """(article id, views) in the order /v1/popular lists them."""
    return [(item["id"], item["views"]) for item in popular_page(client, **params)["items"]]


def views_of(client: TestClient, article_id: int | None, window: str = "24h") -> int:
    """The article's views in the window as /v1/popular tells them; 0 when it is not listed."""
    assert article_id is not None
    listed = dict(ranking(client, window=window, limit=50))
    return listed.get(article_id, 0)


def stored_views(session: Session, article_id: int | None) -> int:
    """Every view the buckets hold for the article, whatever their granularity.

    The session's open transaction is ended first: reading an expired attribute (an
    article's slug, say) begins one, and on SQLite its snapshot would hide later views.
    """
    assert article_id is not None
    session.rollback()
    total = session.exec(
        select(func.coalesce(func.sum(ViewBucket.views), 0)).where(
            col(ViewBucket.article_id) == article_id
        )
    ).one()
    session.rollback()
    return int(total)


def all_buckets(session: Session) -> dict[tuple[int, str, datetime], int]:
    """Every bucket in the database: (article, granularity, start) -> views, read afresh.

    Plain columns, not ORM rows: a row expired by the closing rollback would reload
    itself on access and leave a transaction (and on SQLite, a stale snapshot) open.
    """
    session.rollback()
    rows = session.exec(
        select(
            col(ViewBucket.article_id),
            col(ViewBucket.granularity),
            col(ViewBucket.bucket_start),
            col(ViewBucket.views),
        )
    ).all()
    session.rollback()
    return {(a, g, b): v for a, g, b, v in rows}


def floor_to_hour(moment: datetime) -> datetime:
    """Written here rather than imported, so the tests do not share the app's arithmetic."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, moment.day, moment.hour, tzinfo=UTC)


def floor_to_day(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


LENGTHS = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


def reference_window_start(window: str, now: datetime) -> datetime:
    """The documented rule: the start of the hour holding now - length (of the day for 30d)."""
    edge = now - LENGTHS[window]
    return floor_to_day(edge) if window == "30d" else floor_to_hour(edge)


def ident(article: Article) -> int:
    assert article.id is not None
    return article.id


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
