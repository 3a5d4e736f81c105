"""POST /v1/articles/{slug}/views: one page view, counted once, of published articles only."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.container import Services
from app.ratelimit import RateLimiter
from tests import factories
from tests.conftest import Clock, own_app_client
from tests.helpers import problem
from tests.popularity.support import (
    BROWSER_UA,
    beacon,
    ranking,
    stored_views,
    views_of,
    visitor,
)

LIMIT = 3


def accepted(response: httpx.Response) -> None:
    assert response.status_code == 202, response.text
    assert response.content == b""


def test_a_beacon_without_a_body_counts_one_view(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    other = factories.article(session)
    assert views_of(client, article.id) == 0

    accepted(beacon(client, article.slug))

    assert views_of(client, article.id) == 1
    assert stored_views(session, article.id) == 1
    assert stored_views(session, other.id) == 0
    accepted(beacon(client, article.slug))
    accepted(beacon(client, other.slug))
    assert views_of(client, article.id) == 2
    assert views_of(client, other.id) == 1


def test_send_beacon_text_plain_json_with_a_visitor_id(
    client: TestClient, session: Session
) -> None:
    article = factories.article(session)
    response = beacon(
        client,
        article.slug,
        b'{"visitor_id":"6f1c2e9a-3b7d-4f0e-9a51-2c8e7d4b1a90"}',
        **{"Content-Type": "text/plain;charset=UTF-8"},
    )
    accepted(response)
    assert views_of(client, article.id) == 1


def test_application_json_body_is_accepted_too(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    accepted(
        beacon(
            client,
            article.slug,
            b'{"visitor_id": "reader-1"}',
            **{"Content-Type": "application/json"},
        )
    )
    assert views_of(client, article.id) == 1


@pytest.mark.parametrize("body", [b"", b"   ", b"\n"])
def test_an_empty_body_counts(client: TestClient, session: Session, body: bytes) -> None:
    article = factories.article(session)
    accepted(beacon(client, article.slug, body, **{"Content-Type": "text/plain"}))
    assert views_of(client, article.id) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"visitor_id": ',
        b'{"visitor_id": 5}',
        b'{"visitor_id": ""}',
        b'{"visitor": "x"}',
        b'{"visitor_id": "a", "extra": 1}',
        b'["visitor_id"]',
        b'"visitor"',
        b"null",
        b"\xff\xfe",
    ],
)
def test_an_invalid_body_is_422_and_counts_nothing(
    client: TestClient, session: Session, body: bytes
) -> None:
    article = factories.article(session)
    response = beacon(client, article.slug, body, **{"Content-Type": "text/plain"})
    details = problem(response, 422)
    assert details["errors"], details
    assert views_of(client, article.id) == 0
    assert stored_views(session, article.id) == 0


def test_a_body_over_one_kilobyte_is_rejected(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    padding = "x" * 1024
    body = ('{"visitor_id": "a", "pad": "' + padding + '"}').encode()
    assert len(body) > 1024
    response = beacon(client, article.slug, body, **{"Content-Type": "text/plain"})
    assert response.status_code in (413, 422), response.text
    problem(response, response.status_code)
    # Just under the limit, a valid body still counts: the limit is on size, not on content.
    visitor_id = "v" * 190
    fine = ('{"visitor_id": "' + visitor_id + '"}').encode()
    assert len(fine) <= 1024
    accepted(beacon(client, article.slug, fine, **{"Content-Type": "text/plain"}))
    assert views_of(client, article.id) == 1


def test_unknown_slug_is_404(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    problem(beacon(client, "no-such-article"), 404)
    problem(beacon(client, article.slug + "-x"), 404)
    assert stored_views(session, article.id) == 0
    assert ranking(client, window="1h") == []


def test_drafts_and_scheduled_articles_are_404_and_count_nothing(
    client: TestClient, session: Session
) -> None:
    draft = factories.draft(session)
    scheduled = factories.scheduled(session, hours=2)
    # A draft with a planned time in the past is still a draft.
    planned = factories.draft(session, published_at=factories.hours_ago(3))
    for article in (draft, scheduled, planned):
        problem(beacon(client, article.slug), 404)
        assert stored_views(session, article.id) == 0


def test_a_scheduled_article_counts_once_its_time_has_come(
    client: TestClient, session: Session, clock: Clock
) -> None:
    article = factories.scheduled(session, hours=2)
    problem(beacon(client, article.slug), 404)
    clock.pinned = datetime.now(UTC) + timedelta(hours=3)
    accepted(beacon(client, article.slug))
    assert views_of(client, article.id) == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0.0.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A",
        "Mediapartners-Google",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 "
        "(compatible; Mediapartners-Google/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; GoogleOther)",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
        "PhantomJS/2.1.1 Safari/538.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Prerender (+https://github.com/prerender/prerender)",
        "undici",
        "node",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "",
        "   ",
        None,
    ],
)
def test_bots_are_accepted_and_not_counted(
    client: TestClient, session: Session, user_agent: str | None
) -> None:
    article = factories.article(session)
    accepted(beacon(client, article.slug, user_agent=user_agent))
    assert stored_views(session, article.id) == 0
    assert views_of(client, article.id) == 0
    # The same request from a browser counts: the User-Agent alone made the difference.
    accepted(beacon(client, article.slug, user_agent=BROWSER_UA))
    assert views_of(client, article.id) == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER_UA,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    ],
)
def test_browsers_are_counted(client: TestClient, session: Session, user_agent: str) -> None:
    article = factories.article(session)
    accepted(beacon(client, article.slug, user_agent=user_agent))
    assert views_of(client, article.id) == 1


def test_a_visitor_counts_once_within_thirty_minutes(
    client: TestClient, session: Session, clock: Clock
) -> None:
    article = factories.article(session)
    start = datetime.now(UTC)
    clock.pinned = start
    accepted(visitor(client, article.slug, "reader-a"))
    accepted(visitor(client, article.slug, "reader-a"))
    clock.pinned = start + timedelta(minutes=29, seconds=59)
    accepted(visitor(client, article.slug, "reader-a"))
    assert stored_views(session, article.id) == 1

    # Other visitors, and views without a visitor id, count on their own.
    accepted(visitor(client, article.slug, "reader-b"))
    accepted(beacon(client, article.slug))
    accepted(beacon(client, article.slug))
    assert stored_views(session, article.id) == 4

    # Past thirty minutes from the view that counted, the visitor counts again ...
    clock.pinned = start + timedelta(minutes=30, seconds=1)
    accepted(visitor(client, article.slug, "reader-a"))
    assert stored_views(session, article.id) == 5
    # ... and the thirty minutes start again from that view.
    clock.pinned = start + timedelta(minutes=59)
    accepted(visitor(client, article.slug, "reader-a"))
    assert stored_views(session, article.id) == 5
    # reader-b was counted at `start` + 29:59, so is still within its own thirty minutes.
    accepted(visitor(client, article.slug, "reader-b"))
    assert stored_views(session, article.id) == 5
    clock.pinned = start + timedelta(minutes=60, seconds=1)
    accepted(visitor(client, article.slug, "reader-b"))
    assert stored_views(session, article.id) == 6
    assert views_of(client, article.id) == 6


def test_a_visitor_counts_once_per_article(client: TestClient, session: Session) -> None:
    first = factories.article(session)
    second = factories.article(session)
    accepted(visitor(client, first.slug, "reader-a"))
    accepted(visitor(client, second.slug, "reader-a"))
    accepted(visitor(client, first.slug, "reader-a"))
    assert views_of(client, first.id) == 1
    assert views_of(client, second.id) == 1


def test_a_bot_with_a_visitor_id_does_not_use_up_the_visitor(
    client: TestClient, session: Session
) -> None:
    article = factories.article(session)
    accepted(beacon(client, article.slug, b'{"visitor_id": "shared"}', user_agent="Googlebot/2.1"))
    accepted(visitor(client, article.slug, "shared"))
    assert views_of(client, article.id) == 1


def pin_to_a_fresh_minute(clock: Clock) -> None:
    """Keep all of a test's beacons in one one-minute window of the limit.

    The start of the next minute, so what was published a moment ago is visible.
    """
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock.pinned = start + timedelta(seconds=1)


@pytest.fixture
def limited(clock: Clock, replace_services: Callable[..., Services]) -> None:
    """The shared app with a beacon limit of LIMIT per client per minute, for one test."""
    replace_services(rate_limiter=RateLimiter(LIMIT, clock))
    pin_to_a_fresh_minute(clock)


@pytest.mark.usefixtures("limited")
def test_over_the_limit_is_429_with_retry_after(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    for _ in range(LIMIT):
        accepted(beacon(client, article.slug))
    response = beacon(client, article.slug)
    problem(response, 429)
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    # Refused beacons count nothing; bots and unknown slugs count against the limit too.
    assert stored_views(session, article.id) == LIMIT
    problem(beacon(client, "no-such-article"), 429)
    problem(beacon(client, article.slug, user_agent="curl/8.5.0"), 429)
    assert views_of(client, article.id) == LIMIT


@pytest.mark.usefixtures("limited")
def test_the_limit_counts_minutes_of_the_app_clock(
    client: TestClient, session: Session, clock: Clock
) -> None:
    article = factories.article(session)
    minute_started = clock()
    for _ in range(LIMIT):
        accepted(beacon(client, article.slug))
    clock.pinned = minute_started + timedelta(seconds=40)
    refused = beacon(client, article.slug)
    problem(refused, 429)
    assert refused.headers["retry-after"] == "19"
    clock.pinned = minute_started + timedelta(seconds=59)
    accepted(beacon(client, article.slug))
    assert stored_views(session, article.id) == LIMIT + 1


@pytest.mark.usefixtures("limited")
def test_the_limit_is_per_client(client: TestClient, session: Session, app: FastAPI) -> None:
    article = factories.article(session)
    for _ in range(LIMIT):
        accepted(beacon(client, article.slug))
    problem(beacon(client, article.slug), 429)
    other = TestClient(app, raise_server_exceptions=False, client=("203.0.113.7", 50000))
    accepted(beacon(other, article.slug))
    assert stored_views(session, article.id) == LIMIT + 1


def test_a_separately_configured_app_limits_beacons(
    database_url: str, client: TestClient, session: Session, clock: Clock
) -> None:
    from app.config import Settings

    article = factories.article(session)
    settings = Settings(
        database_url=database_url,
        log_level="warning",
        views_per_minute_per_client=LIMIT,
        popular_cache_seconds=0,
    )
    pin_to_a_fresh_minute(clock)
    with own_app_client(settings, clock=clock) as own:
        statuses = [beacon(own, article.slug).status_code for _ in range(LIMIT + 2)]
        assert statuses == [202] * LIMIT + [429, 429]
        assert stored_views(session, article.id) == LIMIT


def test_cors_on_the_beacon(client: TestClient, session: Session) -> None:
    article = factories.article(session)
    origin = "https://www.example-news.org"
    response = beacon(client, article.slug, Origin=origin)
    accepted(response)
    assert response.headers["access-control-allow-origin"] in ("*", origin)
    # The preflight a fetch() with a JSON content type sends first.
    preflight = client.options(
        f"/v1/articles/{article.slug}/views",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] in ("*", origin)
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    # Errors carry CORS headers too, so the page's script can read them.
    missing = beacon(client, "no-such-article", Origin=origin)
    problem(missing, 404)
    assert missing.headers["access-control-allow-origin"] in ("*", origin)
    assert views_of(client, article.id) == 1
