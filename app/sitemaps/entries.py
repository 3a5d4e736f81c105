"""What a sitemap says of one article, read from its stored document.

The document is what readers get, so the sitemap names the same page URL, times and
image files as the article does, rendition URLs baked in when it was rendered.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import orjson

from app.documents.images import largest_jpeg

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str
    title: str
    published_at: str
    images: tuple[str, ...]


def _image_url(image: Json) -> str | None:
    file = image.get("file")
    if file is not None:
        widest, _type, _width, _height = largest_jpeg(file)
        return widest
    url: str | None = image.get("url")
    return url


def _images(document: Json) -> list[Json]:
    placed = [document["lead_image"]] if document.get("lead_image") else []
    placed += [block for block in document.get("body", []) if block.get("type") == "image"]
    return [p["image"] for p in placed]


def entry_of(document: bytes, origin: str) -> SitemapEntry:
    """The entry of a stored document; relative URLs are made absolute on `origin`."""
    parsed: Json = orjson.loads(document)
    links = parsed["links"]
    images: dict[str, None] = {}  # in order, each once
    for image in _images(parsed):
        url = _image_url(image)
        if url is not None:
            images[urljoin(origin, url)] = None
    return SitemapEntry(
        loc=urljoin(origin, links.get("web") or links["self"]),
        lastmod=parsed.get("updated_at") or parsed["published_at"],
        title=parsed["headline"],
        published_at=parsed["published_at"],
        images=tuple(images),
    )
