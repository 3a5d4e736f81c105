"""The sitemap protocol's documents (sitemaps.org 0.9) with Google's news and image
extensions, written as the entries arrive."""

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from app.sitemaps.entries import SitemapEntry
from app.sitemaps.xml import XmlStream

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"


@dataclass(frozen=True, slots=True)
class Publication:
    """What Google News knows the publication by."""

    name: str
    language: str


def _url(xml: XmlStream, entry: SitemapEntry, news: Publication | None) -> None:
    xml.start("url")
    xml.element("loc", entry.loc)
    xml.element("lastmod", entry.lastmod)
    if news is not None:
        xml.start("news:news")
        xml.start("news:publication")
        xml.element("news:name", news.name)
        xml.element("news:language", news.language)
        xml.end("news:publication")
        xml.element("news:publication_date", entry.published_at)
        xml.element("news:title", entry.title)
        xml.end("news:news")
    for image in entry.images:
        xml.start("image:image")
        xml.element("image:loc", image)
        xml.end("image:image")
    xml.end("url")


async def urlset(
    batches: AsyncIterator[Iterable[SitemapEntry]], *, news: Publication | None = None
) -> AsyncIterator[bytes]:
    """A `urlset`, one chunk per batch of entries; with `news`, each carries its news tags."""
    namespaces = {"xmlns": SITEMAP_NS, "xmlns:image": IMAGE_NS}
    if news is not None:
        namespaces["xmlns:news"] = NEWS_NS
    xml = XmlStream("urlset", namespaces)
    async for batch in batches:
        for entry in batch:
            _url(xml, entry, news)
        yield xml.drain()
    yield xml.close()


def sitemap_index(sitemaps: Iterable[tuple[str, str | None]]) -> bytes:
    """A `sitemapindex` of (loc, lastmod or None)."""
    xml = XmlStream("sitemapindex", {"xmlns": SITEMAP_NS})
    for loc, lastmod in sitemaps:
        xml.start("sitemap")
        xml.element("loc", loc)
        if lastmod is not None:
            xml.element("lastmod", lastmod)
        xml.end("sitemap")
    return xml.close()
