"""Reading sitemaps as a crawler does: parsed safely, checked against the protocol."""

from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
IMAGE = "{http://www.google.com/schemas/sitemap-image/1.1}"
ORIGIN = "http://testserver"


def xml(response: httpx.Response, root: str) -> Element:
    """A 200 of well-formed XML whose root is `root` in the sitemap namespace."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    parsed: Element = ElementTree.fromstring(response.content)
    assert parsed.tag == SITEMAP + root
    return parsed


def text(element: Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    assert found.text is not None, path
    return found.text


def urls(response: httpx.Response) -> list[Element]:
    """The `url` elements of a urlset, each checked for what the protocol requires."""
    entries = list(xml(response, "urlset"))
    for entry in entries:
        assert entry.tag == SITEMAP + "url"
        assert text(entry, SITEMAP + "loc").startswith(ORIGIN + "/")
        text(entry, SITEMAP + "lastmod")
    return entries


def locs(response: httpx.Response) -> list[str]:
    return [text(entry, SITEMAP + "loc") for entry in urls(response)]


def article_url(slug: str) -> str:
    return f"{ORIGIN}/v1/articles/{slug}"


def image_locs(entry: Element) -> list[str]:
    return [text(image, IMAGE + "loc") for image in entry.findall(IMAGE + "image")]
