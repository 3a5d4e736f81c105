"""RSS 2.0 (https://www.rssboard.org/rss-specification), with Media RSS for lead images."""

import html
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree.ElementTree import Element

from app.feeds.model import Entry, Feed
from app.feeds.writer import (
    ATOM,
    DC_TERMS,
    DUBLIN_CORE,
    child,
    media_content,
    rfc3339,
    xml_document,
)

MEDIA_TYPE = "application/rss+xml"


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _item(channel: Element, entry: Entry) -> None:
    item = child(channel, "item")
    child(item, "title", entry.title)
    child(item, "link", entry.url)
    child(item, "guid", entry.guid, {"isPermaLink": "false"})
    child(item, "pubDate", _rfc822(entry.published_at))
    if entry.updated_at != entry.published_at:
        child(item, f"{{{DC_TERMS}}}modified", rfc3339(entry.updated_at))
    if entry.summary is not None:
        # Readers take an RSS description as HTML; the dek is plain text.
        child(item, "description", html.escape(entry.summary, quote=False))
    for author in entry.authors:
        child(item, f"{{{DUBLIN_CORE}}}creator", author.name)
    for category in entry.categories:
        child(item, "category", category.label)
    if entry.image is not None:
        media_content(item, entry.image)


def render_rss(feed: Feed) -> bytes:
    rss = Element("rss", {"version": "2.0"})
    channel = child(rss, "channel")
    child(channel, "title", feed.title)
    child(channel, "link", feed.home_url)
    child(channel, "description", feed.description)
    child(
        channel,
        f"{{{ATOM}}}link",
        attributes={"href": feed.self_url, "rel": "self", "type": MEDIA_TYPE},
    )
    if feed.updated_at is not None:
        child(channel, "lastBuildDate", _rfc822(feed.updated_at))
    for entry in feed.entries:
        _item(channel, entry)
    return xml_document(rss)
