"""The formats a feed comes in, chosen by the extension of its path."""

from collections.abc import Callable
from typing import NamedTuple

from app.errors import NotAcceptable
from app.feeds import atom, jsonfeed, rss
from app.feeds.model import Feed


class FeedFormat(NamedTuple):
    extension: str
    media_type: str
    render: Callable[[Feed], bytes]


FORMATS = {
    feed_format.extension: feed_format
    for feed_format in (
        FeedFormat("rss", rss.MEDIA_TYPE, rss.render_rss),
        FeedFormat("atom", atom.MEDIA_TYPE, atom.render_atom),
        FeedFormat("json", jsonfeed.MEDIA_TYPE, jsonfeed.render_json_feed),
    )
}
OFFERED = ", ".join(f"{f.extension} ({f.media_type})" for f in FORMATS.values())


def feed_format(extension: str) -> FeedFormat:
    chosen = FORMATS.get(extension)
    if chosen is None:
        raise NotAcceptable(f"Feeds are offered as {OFFERED}; not as {extension!r}.")
    return chosen
