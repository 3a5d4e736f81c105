"""Public sitemap routes: XML for crawlers, streamed as it is written."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from app.container import Now, services
from app.http import (
    VISIBLE_ARTICLES_ONLY,
    PublicHeaders,
    etag_for,
    etag_matches,
    public_description,
    public_origin,
    read_responses,
)
from app.params import StrictQueryRoute
from app.sitemaps.query import SitemapReader
from app.sitemaps.service import (
    MAX_NEWS_URLS,
    MAX_URLS,
    index_entries,
    month_sitemap,
    news_sitemap,
)
from app.sitemaps.writing import Publication, sitemap_index, urlset

router = APIRouter(route_class=StrictQueryRoute, prefix="/sitemaps", tags=["sitemaps"])

XML_MEDIA_TYPE = "application/xml"
# Lists of articles answer with "articles", so a purge after publishing reaches these too.
SURROGATE_KEYS = "articles sitemaps"
API_PREFIX = "/v1"


async def max_urls_per_sitemap() -> int:
    """URLs per monthly sitemap before a month splits into parts: a dependency, so a test
    can make the bound small."""
    return MAX_URLS


MaxUrls = Annotated[int, Depends(max_urls_per_sitemap)]


def _origin(request: Request) -> str:
    return public_origin(request, services(request).public_headers.public_base_url)


def _reader(request: Request) -> SitemapReader:
    # Compiled per request: a sitemap read costs far more than compiling its statements,
    # and crawlers fetch sitemaps through the CDN's cache.
    return SitemapReader(services(request).driver)


def _xml_response(
    request: Request, public: PublicHeaders, etag: str, body: bytes | AsyncIterator[bytes]
) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": public.cache_control,
        "Surrogate-Key": SURROGATE_KEYS,
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, etag, weak=True):
        return Response(status_code=304, headers=headers)
    if isinstance(body, bytes):
        return Response(body, media_type=XML_MEDIA_TYPE, headers=headers)
    return StreamingResponse(body, media_type=XML_MEDIA_TYPE, headers=headers)


def _xml_responses(*, lookup: bool) -> dict[int | str, Any]:
    responses = read_responses(lookup=lookup)
    responses[200] = {
        **responses[200],
        "description": "The sitemap, UTF-8 XML.",
        "content": {XML_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
    return responses


MONTH_PARTS = (
    f"A month holds at most {MAX_URLS:,} URLs, the protocol's bound; a month with more is "
    "split into parts of that many, oldest first: part 1 is the bare URL, later parts add "
    "`?part=2`, `?part=3` and so on."
)


@router.get(
    "/index.xml",
    operation_id="getSitemapIndex",
    summary="Get the sitemap index: the news sitemap and every monthly sitemap",
    description=public_description(
        "A sitemap index (sitemaps.org 0.9) listing the news sitemap and one sitemap per month "
        "with published articles, oldest first, each with `lastmod`: when a document of that "
        "month was last rendered.",
        MONTH_PARTS,
        VISIBLE_ARTICLES_ONLY,
    ),
    response_class=Response,
    responses=_xml_responses(lookup=False),
)
async def get_sitemap_index(request: Request, now: Now, max_urls: MaxUrls) -> Response:
    base = _origin(request) + API_PREFIX
    months = await index_entries(_reader(request), now=now, max_urls=max_urls)
    body = sitemap_index(
        [(base + "/sitemaps/news.xml", None), *((base + path, at) for path, at in months)]
    )
    public = services(request).public_headers
    return _xml_response(request, public, etag_for(body), body)


@router.get(
    "/news.xml",
    operation_id="getNewsSitemap",
    summary="Get the Google News sitemap: articles of the last 48 hours",
    description=public_description(
        "A sitemap with Google's news extension of the articles published in the last 48 "
        f"hours, newest first, at most {MAX_NEWS_URLS:,} (Google's bound): each with "
        "`news:publication` (SITE_NAME and SITE_LANGUAGE), `news:publication_date`, "
        "`news:title` and an `image:image` per lead and body image. With none, an empty "
        "`urlset`.",
        VISIBLE_ARTICLES_ONLY,
    ),
    response_class=Response,
    responses=_xml_responses(lookup=False),
)
async def get_news_sitemap(request: Request, now: Now) -> Response:
    held = services(request)
    publication = Publication(held.settings.site_name, held.settings.site_language)
    planned = await news_sitemap(
        _reader(request), now=now, origin=_origin(request), publication=publication
    )
    body = urlset(planned.entries, news=publication)
    return _xml_response(request, held.public_headers, planned.etag, body)


@router.get(
    "/{year}-{month}.xml",
    operation_id="getMonthSitemap",
    summary="Get the sitemap of one month's articles",
    description=public_description(
        "A sitemap (sitemaps.org 0.9) of the articles published in one month (UTC), oldest "
        "first: each page URL (`links.web`, else the API's article URL) with `lastmod` (the "
        "article's `updated_at`, else `published_at`) and an `image:image` per lead and body "
        "image (the largest JPEG rendition of an uploaded file, else the image's `url`). A "
        "month without published articles, one still to come, or a part past the last is a "
        "404.",
        MONTH_PARTS,
        VISIBLE_ARTICLES_ONLY,
    ),
    response_class=Response,
    responses=_xml_responses(lookup=True),
)
async def get_month_sitemap(
    request: Request,
    now: Now,
    max_urls: MaxUrls,
    year: Annotated[str, Path(pattern=r"^[1-9][0-9]{3}$", examples=["2026"])],
    month: Annotated[str, Path(pattern=r"^(0[1-9]|1[0-2])$", examples=["11"])],
    part: Annotated[int, Query(ge=1, le=10_000, description="Which part of the month.")] = 1,
) -> Response:
    planned = await month_sitemap(
        _reader(request),
        year=int(year),
        month=int(month),
        part=part,
        now=now,
        max_urls=max_urls,
        origin=_origin(request),
    )
    public = services(request).public_headers
    return _xml_response(request, public, planned.etag, urlset(planned.entries))
