"""Atom 1.0 (RFC 4287); lead images as enclosure links and Media RSS."""

from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from app.feeds.model import Entry, Feed
from app.feeds.writer import ATOM, child, media_content, rfc3339, xml_document

MEDIA_TYPE = "application/atom+xml"
# Atom requires a feed's <updated>: a feed with no entries yet has never changed.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _entry(feed: Element, entry: Entry) -> None:
    element = child(feed, "entry")
    child(element, "id", entry.guid)
    child(element, "title", entry.title)
    child(element, "link", attributes={"rel": "alternate", "href": entry.url})
    child(element, "published", rfc3339(entry.published_at))
    child(element, "updated", rfc3339(entry.updated_at))
    for author in entry.authors:
        person = child(element, "author")
        child(person, "name", author.name)
        child(person, "uri", author.url)
    if entry.summary is not None:
        child(element, "summary", entry.summary, {"type": "text"})
    for category in entry.categories:
        child(element, "category", attributes={"term": category.term, "label": category.label})
    if entry.image is not None:
        enclosure = {"rel": "enclosure", "href": entry.image.url}
        if entry.image.media_type is not None:
            enclosure["type"] = entry.image.media_type
        child(element, "link", attributes=enclosure)
        media_content(element, entry.image)


def render_atom(feed: Feed) -> bytes:
    # ElementTree's default_namespace refuses unqualified attributes (rel, href), so the
    # root declares the namespace itself and Atom's elements are written unqualified.
    root = Element("feed", {"xmlns": ATOM})
    child(root, "id", feed.guid)
    child(root, "title", feed.title)
    child(root, "subtitle", feed.description)
    child(root, "updated", rfc3339(feed.updated_at or NEVER))
    child(root, "link", attributes={"rel": "alternate", "href": feed.home_url})
    child(root, "link", attributes={"rel": "self", "href": feed.self_url, "type": MEDIA_TYPE})
    # Entries without a byline take the feed's author, as RFC 4287 section 4.1.2 allows.
    publisher = child(root, "author")
    child(publisher, "name", feed.publisher)
    for entry in feed.entries:
        _entry(root, entry)
    return xml_document(root)
