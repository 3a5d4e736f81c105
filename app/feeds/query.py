"""Which articles a feed shows: the public list reads, then those articles' documents.

The lists (newest first, only what readers may see, 404 for a tag or author no
visible article has) are app.articles' own; a feed then reads the documents of the
page, for what summaries leave out: tags and the lead image's caption.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import orjson
from sqlmodel import Session, col, select
from starlette.requests import HTTPConnection

from app.articles.service import author_articles, find_articles, tag_articles
from app.container import public_read_in_thread, services
from app.documents.refs import surrogate_key
from app.documents.summaries import ArticleFilters, SummaryPage
from app.feeds.model import Document
from app.models import PublishedArticle

# Enough for a reader polling every few minutes on a busy day; the rest is in the lists.
FEED_LENGTH = 20


class FeedArticles(NamedTuple):
    """The documents a feed shows, newest first, and what the feed is of."""

    documents: Sequence[Document]
    # The Surrogate-Key of what the feed is of: "articles", "tag:12", "person:3".
    owner: str
    # The tag's or author's name, for the feed's title; None for the latest articles.
    name: str | None = None

    @property
    def surrogate_keys(self) -> list[str]:
        articles = (surrogate_key("article", document["id"]) for document in self.documents)
        return ["feeds", self.owner, *articles]


def _documents(session: Session, article_ids: list[int], now: datetime) -> list[Document]:
    statement = select(PublishedArticle.article_id, PublishedArticle.document).where(
        col(PublishedArticle.article_id).in_(article_ids), PublishedArticle.published_at <= now
    )
    found = dict(session.exec(statement).all())
    # An article withdrawn between the two reads is simply left out.
    return [orjson.loads(found[i]) for i in article_ids if i in found]


async def _feed_articles(
    connection: HTTPConnection, page: SummaryPage, now: datetime
) -> list[Document]:
    ids = [row.article_id for row in page.rows]
    if not ids:
        return []
    return await public_read_in_thread(connection, lambda session: _documents(session, ids, now))


async def latest_articles(connection: HTTPConnection, now: datetime) -> FeedArticles:
    page = await find_articles(
        services(connection).summaries,
        now=now,
        filters=ArticleFilters(),
        limit=FEED_LENGTH,
        cursor=None,
    )
    documents = await _feed_articles(connection, page, now)
    return FeedArticles(documents, "articles")


async def tag_feed_articles(connection: HTTPConnection, now: datetime, slug: str) -> FeedArticles:
    tag_id, page = await tag_articles(
        services(connection).summaries, now=now, slug=slug, limit=FEED_LENGTH, cursor=None
    )
    documents = await _feed_articles(connection, page, now)
    name = next(
        (tag["name"] for doc in documents for tag in doc["tags"] if tag["id"] == tag_id), slug
    )
    return FeedArticles(documents, surrogate_key("tag", tag_id), name)


async def author_feed_articles(
    connection: HTTPConnection, now: datetime, author_id: int
) -> FeedArticles:
    page = await author_articles(
        services(connection).summaries, now=now, author_id=author_id, limit=FEED_LENGTH, cursor=None
    )
    documents = await _feed_articles(connection, page, now)
    name = next(
        (a["name"] for doc in documents for a in doc["authors"] if a["id"] == author_id),
        f"Author {author_id}",
    )
    return FeedArticles(documents, surrogate_key("person", author_id), name)
