"""Feeds of published articles in RSS 2.0, Atom 1.0 and JSON Feed 1.1, read as a feed
reader reads them: the XML ones with feedparser, which flags any XML that is not
well-formed; JSON Feed (which feedparser 6.0 does not read) against its spec's rules."""

import html
from datetime import datetime
from typing import Any

import feedparser
import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.helpers import problem

FORMATS = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _json_feed(response: httpx.Response) -> list[dict[str, Any]]:
    """The items of a JSON Feed 1.1, having checked what the spec requires of it."""
    feed = response.json()
    assert feed["version"] == JSON_FEED_VERSION
    assert isinstance(feed["title"], str)
    assert feed["feed_url"].startswith("http")
    items: list[dict[str, Any]] = feed["items"]
    for item in items:
        assert isinstance(item["id"], str)
        assert isinstance(item.get("content_text", item.get("content_html")), str)
        datetime.fromisoformat(item["date_published"])
    return items


def _text(detail: Any) -> str:
    """Text as a reader shows it: an RSS description is HTML, so the dek arrives escaped."""
    value: str = detail.value
    return html.unescape(value) if detail.type == "text/html" else value


def entries(response: httpx.Response, extension: str) -> list[dict[str, Any]]:
    """The feed's entries as {title, link, id, summary}, whatever the format."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FORMATS[extension]
    if extension == "json":
        return [
            {"title": i["title"], "link": i["url"], "id": i["id"], "summary": i.get("summary")}
            for i in _json_feed(response)
        ]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == {"rss": "rss20", "atom": "atom10"}[extension]
    return [
        {
            "title": e.title,
            "link": e.link,
            "id": e.id,
            "summary": _text(e.summary_detail) if "summary" in e else None,
        }
        for e in feed.entries
    ]


def every_format(client: TestClient, path: str) -> dict[str, list[dict[str, Any]]]:
    return {ext: entries(client.get(f"{path}.{ext}"), ext) for ext in FORMATS}


def test_latest_articles_newest_first_in_every_format(
    client: TestClient, session: Session
) -> None:
    for hours, headline in ((3, "Oldest"), (1, "Newest"), (2, "Middle")):
        factories.article(session, headline=headline, published_at=factories.hours_ago(hours))
    factories.draft(session, headline="Draft", published_at=factories.hours_ago(1))
    factories.scheduled(session, headline="Scheduled")

    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert [e["title"] for e in shown] == ["Newest", "Middle", "Oldest"], extension


def test_a_scheduled_article_appears_at_its_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    future = factories.scheduled(session, headline="Later")
    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert shown == [], extension

    assert future.published_at is not None
    clock.pinned = future.published_at
    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert [e["title"] for e in shown] == ["Later"], extension


HOSTILE = (
    "Ceasefire ]]> <script>alert(1)</script> & Co \x01\x08\x0b\x0c\x1f \ufffe "
    "\u00e9t\u00e9 \U0001f54a\ufe0f \"quoted\" 'single' &amp;"
)
# What XML 1.0 can hold: the control characters and U+FFFE are gone.
CLEANED = (
    "Ceasefire ]]> <script>alert(1)</script> & Co   "
    "\u00e9t\u00e9 \U0001f54a\ufe0f \"quoted\" 'single' &amp;"
)


def test_hostile_headlines_and_deks_stay_well_formed(client: TestClient, session: Session) -> None:
    factories.article(session, headline=HOSTILE, dek=HOSTILE)

    shown = every_format(client, "/v1/feeds/latest")

    for extension in ("rss", "atom"):
        [entry] = shown[extension]
        assert entry["summary"] == CLEANED, extension
        # feedparser sanitizes titles as HTML: the script element never survives as markup.
        assert "]]>" in entry["title"]
        assert "\U0001f54a" in entry["title"]
        assert "\x01" not in entry["title"]
    # JSON holds any character: the text arrives as written.
    [item] = shown["json"]
    assert (item["title"], item["summary"]) == (HOSTILE, HOSTILE)
