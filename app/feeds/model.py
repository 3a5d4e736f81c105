"""A feed as every format writes it, built from stored article documents.

Stored documents are read as JSON rather than re-validated: they are bytes rendered
when published, and a feed only needs a few of their fields.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from app.documents.images import largest_jpeg

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Category:
    term: str  # the tag's slug
    label: str  # its name


@dataclass(frozen=True, slots=True)
class Media:
    """The lead image: one file a feed reader can show, with its credit and caption."""

    url: str
    media_type: str | None
    width: int | None
    height: int | None
    credit: str | None
    caption: str | None
    alt_text: str


@dataclass(frozen=True, slots=True)
class Entry:
    guid: str
    url: str
    title: str
    summary: str | None
    published_at: datetime
    updated_at: datetime
    authors: Sequence[Author]
    categories: Sequence[Category]
    image: Media | None


@dataclass(frozen=True, slots=True)
class Feed:
    guid: str
    title: str
    description: str
    home_url: str
    self_url: str
    entries: Sequence[Entry]
    # The publication, named as the author of entries without a byline (Atom needs one).
    publisher: str

    @property
    def updated_at(self) -> datetime | None:
        return max((entry.updated_at for entry in self.entries), default=None)


def article_guid(article_id: int) -> str:
    """Stable for the article's life: slugs, titles and hosts may change, its id does not."""
    return f"urn:byline:article:{article_id}"


def lead_media(placed: Document | None, base_url: str) -> Media | None:
    """The lead image's largest JPEG rendition when it has a file, else its own URL."""
    if placed is None:
        return None
    image = placed["image"]
    url: str
    media_type: str | None
    if image["file"] is not None:
        url, media_type, width, height = largest_jpeg(image["file"])
    elif image["url"] is not None:
        url, media_type, width, height = image["url"], None, image["width"], image["height"]
    else:
        return None
    return Media(
        url=urljoin(base_url, url),
        media_type=media_type,
        width=width,
        height=height,
        credit=image["credit_line"],
        caption=placed["caption"],
        alt_text=image["alt_text"],
    )


def entry(document: Document, base_url: str) -> Entry:
    """A feed entry; links are made absolute on `base_url` (the API's public origin)."""
    links = document["links"]
    published_at = datetime.fromisoformat(document["published_at"])
    updated = document["updated_at"]
    return Entry(
        guid=article_guid(document["id"]),
        # The article's page on the web once documents carry one, else its API document.
        url=links.get("web") or urljoin(base_url, links["self"]),
        title=document["headline"],
        summary=document["dek"],
        published_at=published_at,
        updated_at=max(published_at, datetime.fromisoformat(updated)) if updated else published_at,
        authors=[
            Author(author["name"], urljoin(base_url, f"/v1/authors/{author['id']}"))
            for author in document["authors"]
        ],
        categories=[Category(tag["slug"], tag["name"]) for tag in document["tags"]],
        image=lead_media(document["lead_image"], base_url),
    )
