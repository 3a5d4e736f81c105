"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

from typing import Any

import orjson

from app.feeds.model import Entry, Feed
from app.feeds.writer import rfc3339

MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


def _item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.guid,
        "url": entry.url,
        "title": entry.title,
        # The spec asks every item for content_html or content_text.
        "content_text": entry.summary or entry.title,
        "date_published": rfc3339(entry.published_at),
        "date_modified": rfc3339(entry.updated_at),
        "authors": [{"name": author.name, "url": author.url} for author in entry.authors],
        "tags": [category.label for category in entry.categories],
    }
    if entry.summary is not None:
        item["summary"] = entry.summary
    if entry.image is not None:
        item["image"] = entry.image.url
        # JSON Feed has no place for a credit or caption: an extension object holds them.
        item["_byline"] = {
            "lead_image": {
                "url": entry.image.url,
                "mime_type": entry.image.media_type,
                "width": entry.image.width,
                "height": entry.image.height,
                "alt_text": entry.image.alt_text,
                "caption": entry.image.caption,
                "credit": entry.image.credit,
            }
        }
    return item


def render_json_feed(feed: Feed) -> bytes:
    return orjson.dumps(
        {
            "version": VERSION,
            "title": feed.title,
            "description": feed.description,
            "home_page_url": feed.home_url,
            "feed_url": feed.self_url,
            "authors": [{"name": feed.publisher, "url": feed.home_url}],
            "items": [_item(entry) for entry in feed.entries],
        }
    )
