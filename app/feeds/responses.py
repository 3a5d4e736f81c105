"""A feed answer: the articles as a feed in the chosen format, cacheable like a list."""

from starlette.requests import Request
from starlette.responses import Response

from app.container import services
from app.feeds.formats import FeedFormat
from app.feeds.model import Feed, entry
from app.feeds.query import FeedArticles
from app.http import public_origin, public_response


def feed_response(
    request: Request,
    chosen: FeedFormat,
    articles: FeedArticles,
    *,
    about: str = "",
) -> Response:
    """`about` follows "The latest articles" in the description: " on Energy", " by Ann Poe"."""
    held = services(request)
    base = public_origin(request, held.public_headers.public_base_url)
    site = held.settings.site_name
    feed = Feed(
        guid=f"urn:byline:feed:{articles.owner}",
        title=site if articles.name is None else f"{site}: {articles.name}",
        description=f"The latest articles{about} from {site}.",
        home_url=held.settings.site_url or base + "/",
        # The path asked for, on the public origin: a feed's own address.
        self_url=base + request.url.path,
        entries=[entry(document, base) for document in articles.documents],
        publisher=held.settings.site_name,
    )
    return public_response(
        request,
        held.public_headers,
        chosen.render(feed),
        surrogate_keys=articles.surrogate_keys,
        media_type=chosen.media_type,
    )
