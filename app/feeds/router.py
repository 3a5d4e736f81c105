"""Public feeds: /v1/feeds/latest.{format}, /v1/feeds/tags/{slug}.{format},
/v1/feeds/authors/{author_id}.{format}."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.container import Now
from app.errors import problem_responses
from app.feeds.formats import FORMATS, OFFERED, feed_format
from app.feeds.query import (
    FEED_LENGTH,
    author_feed_articles,
    latest_articles,
    tag_feed_articles,
)
from app.feeds.responses import feed_response
from app.http import VISIBLE_ARTICLES_ONLY, public_description, read_responses
from app.params import StrictQueryRoute
from app.types import Id, Slug

router = APIRouter(route_class=StrictQueryRoute, prefix="/feeds", tags=["feeds"])

FormatPath = Annotated[
    str,
    Path(
        description=f"The feed's format: {OFFERED}; any other is a 406.",
        examples=["rss"],
        # Declared, not validated: an extension not offered is a 406 naming those that are.
        json_schema_extra={"enum": list(FORMATS)},
    ),
]
ITEMS = (
    f"The {FEED_LENGTH} newest articles, each with its link (the web page once documents "
    "carry one, else the API document), a stable guid, publish and update times, authors, "
    "the dek as plain text, tags as categories and the lead image with its caption and "
    "credit (Media RSS in RSS and Atom, `image` and a `_byline` extension in JSON Feed)."
)


def _feed_responses() -> dict[int | str, Any]:
    responses = read_responses(lookup=True)
    responses[200] = {
        **responses[200],
        "description": "The feed in the format its extension names.",
        "content": {
            feed.media_type: {
                "schema": {"type": "object" if feed.extension == "json" else "string"}
            }
            for feed in FORMATS.values()
        },
    }
    responses.update(problem_responses(406))
    responses[406]["description"] = "The extension names no format offered; the detail lists them"
    return responses


@router.get(
    "/latest.{format}",
    operation_id="getLatestFeed",
    summary="Feed of the latest published articles",
    description=public_description(ITEMS, VISIBLE_ARTICLES_ONLY),
    response_class=Response,
    responses=_feed_responses(),
)
async def get_latest_feed(request: Request, now: Now, format: FormatPath) -> Response:
    chosen = feed_format(format)
    articles = await latest_articles(request, now)
    return feed_response(request, chosen, articles)


@router.get(
    "/tags/{slug}.{format}",
    operation_id="getTagFeed",
    summary="Feed of the latest published articles with a tag",
    description=public_description(
        ITEMS, "404 when no visible article carries the tag.", VISIBLE_ARTICLES_ONLY
    ),
    response_class=Response,
    responses=_feed_responses(),
)
async def get_tag_feed(
    request: Request,
    now: Now,
    slug: Annotated[Slug, Path(description="The tag's slug.", examples=["diplomacy"])],
    format: FormatPath,
) -> Response:
    chosen = feed_format(format)
    articles = await tag_feed_articles(request, now, slug)
    return feed_response(request, chosen, articles, about=f" on {articles.name}")


@router.get(
    "/authors/{author_id}.{format}",
    operation_id="getAuthorFeed",
    summary="Feed of an author's latest published articles",
    description=public_description(
        ITEMS, "404 when they are not an author of any visible article.", VISIBLE_ARTICLES_ONLY
    ),
    response_class=Response,
    responses=_feed_responses(),
)
async def get_author_feed(
    request: Request,
    now: Now,
    author_id: Annotated[Id, Path(description="The author's person id.", examples=[1])],
    format: FormatPath,
) -> Response:
    chosen = feed_format(format)
    articles = await author_feed_articles(request, now, author_id)
    return feed_response(request, chosen, articles, about=f" by {articles.name}")
