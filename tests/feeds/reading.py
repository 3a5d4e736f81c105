"""Reading a feed as a feed reader does: the XML formats with feedparser, which flags any
XML that is not well-formed; JSON Feed (which feedparser 6.0 does not read) against the
rules of its spec."""

import html
from datetime import datetime
from typing import Any

import feedparser
import httpx
from fastapi.testclient import TestClient

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
