"""The soak's requests: public reads, page-view beacons and editors' writes, in proportion.

Each draw gives one Call. Readers cover every public route over the whole dataset, the
newest articles most often, and follow the cursors and ETags earlier answers gave them.
Beacons carry a visitor id, as a frontend sends them: most are a visitor's first view of
an article (it must count), some repeat a view acknowledged a moment ago (it must not).
Editors each write their own articles in turn (create, edit, publish), with the ETag of
their last answer, so no write races another. What was acknowledged goes to the ledgers
that the end of the run holds against the database.
"""

import asyncio
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from sqlalchemy import text

from app.db import create_db_engine
from bench.wrk import BROWSER_USER_AGENT

# Percent of all requests; the reads add up to 90.
READS = {
    "GET /v1/articles/{slug}": 36,
    "GET /v1/articles/{slug} If-None-Match": 6,
    "GET /v1/articles/{unknown}": 1,
    "GET /v1/articles": 8,
    "GET /v1/articles?cursor": 5,
    "GET /v1/articles?tag": 4,
    "GET /v1/articles?author": 3,
    "GET /v1/articles?type": 2,
    "GET /v1/articles/{slug}/related": 5,
    "GET /v1/authors": 1,
    "GET /v1/authors/{id}": 3,
    "GET /v1/authors/{id}/articles": 3,
    "GET /v1/people/{id}": 3,
    "GET /v1/people/{id}/articles": 2,
    "GET /v1/people/{id}/quotes": 1,
    "GET /v1/tags": 1,
    "GET /v1/tags/{slug}/articles": 3,
    "GET /v1/popular": 3,
}
BEACONS = 8
WRITES = 2
REPEAT_SHARE = 0.125  # of beacons: a reload within the de-duplication window
# Repeats are taken only from views acknowledged this recently: well inside the
# server's 30-minute window, so each one must be ignored.
REPEAT_WITHIN_S = 15 * 60
EDITS_PER_ARTICLE = 6
MERGE_PATCH = "application/merge-patch+json"
MANAGE = "/v1/manage/articles"


@dataclass(frozen=True)
class Catalog:
    """What the dataset offers to read and to write with, found by SQL."""

    slugs: list[str]  # published and visible, newest first
    author_ids: list[int]
    person_ids: list[int]
    tags: list[tuple[int, str]]  # id, slug

    @classmethod
    def load(cls, database_url: str) -> "Catalog":
        engine = create_db_engine(database_url)

        def column(connection: Any, sql: str) -> list[Any]:
            return list(connection.execute(text(sql)).scalars())

        refs = "SELECT DISTINCT ref_id FROM published_article_refs WHERE ref_kind = "
        try:
            with engine.connect() as connection:
                slugs = column(
                    connection,
                    "SELECT slug FROM published_articles WHERE published_at <= now() "
                    "ORDER BY published_at DESC",
                )
                authors = column(connection, refs + "'author' ORDER BY ref_id")
                people = column(connection, refs + "'mention' ORDER BY ref_id")
                tags = connection.execute(
                    text(f"SELECT id, slug FROM tags WHERE id IN ({refs}'tag') ORDER BY id")
                ).all()
        finally:
            engine.dispose()
        if not (slugs and authors and people and tags):
            raise ValueError("the soak needs published articles with authors, people and tags")
        return cls(slugs, authors, people, [(int(i), str(s)) for i, s in tags])


Settle = Callable[[httpx.Response | None], None]


@dataclass(frozen=True)
class Call:
    """One request, and what to do with its answer (None: there was none)."""

    route: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    expect: int | None = None  # a 4xx that is the right answer here (an unknown slug's 404)
    settle: Settle | None = None


def is_error(status: int, expect: int | None) -> bool:
    """Anything but a 2xx or 3xx is an error, unless the call expected that very status."""
    return status >= 400 and status != expect


@dataclass
class ViewLedger:
    """Beacons sent and what came of them."""

    counted: int = 0  # 202 to a visitor's first view of an article
    lost: int = 0  # first views whose beacon got no answer or an error: may have counted
    repeats: int = 0  # 202 to a repeat, which must not count
    recent: deque[tuple[float, int, str]] = field(default_factory=lambda: deque(maxlen=5000))


@dataclass
class Written:
    """What the database must hold for one article the soak wrote."""

    article_id: int
    slug: str
    version: int
    headline: str
    published_headline: str | None = None
    uncertain: bool = False  # a write got no answer: the article's last state is unknown


@dataclass
class WriteLedger:
    acknowledged: int = 0
    articles: dict[int, Written] = field(default_factory=dict)


class Editor:
    """One editor writing their own articles, one write at a time (hold `lock`)."""

    def __init__(
        self, number: int, token: str, run_id: str, catalog: Catalog, ledger: WriteLedger
    ) -> None:
        self.number = number
        self.lock = asyncio.Lock()
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.run_id = run_id
        self.catalog = catalog
        self.ledger = ledger
        self.rng = random.Random(f"{run_id}-{number}")
        self.article: Written | None = None
        self.etag = ""
        self.edits = 0
        self.unpublished = False
        self.created = 0

    def next_call(self) -> Call:
        if self.article is None or self.article.uncertain or self.edits >= EDITS_PER_ARTICLE:
            return self._create()
        if self.unpublished and self.rng.random() < 0.5:
            return self._publish(self.article)
        return self._edit(self.article)

    def _headline(self, slug: str) -> str:
        return f"Soak {slug} edit {self.edits}"

    def _create(self) -> Call:
        self.created += 1
        slug = f"soak-{self.run_id}-{self.number}-{self.created}"
        headline = self._headline(slug)
        body = {
            "slug": slug,
            "type": "news",
            "headline": headline,
            "dek": "Written during a soak run.",
            "body": [{"type": "paragraph", "html": f"Paragraph {n} of {slug}."} for n in range(4)],
            "author_ids": [self.rng.choice(self.catalog.author_ids)],
            "tag_ids": sorted({self.rng.choice(self.catalog.tags)[0] for _ in range(2)}),
        }

        def settle(response: httpx.Response | None) -> None:
            self.article, self.edits, self.unpublished = None, 0, False
            if response is None or response.status_code != 201:
                return
            record = response.json()
            self.article = Written(record["id"], slug, record["version"], headline)
            self.ledger.articles[record["id"]] = self.article
            self._acknowledged(response)

        return Call(
            "POST /v1/manage/articles",
            "POST",
            MANAGE,
            self.headers,
            orjson.dumps(body),
            settle=settle,
        )

    def _edit(self, article: Written) -> Call:
        self.edits += 1
        headline = self._headline(article.slug)

        def settle(response: httpx.Response | None) -> None:
            if response is None or response.status_code != 200:
                article.uncertain = True
                return
            article.headline = headline
            self.unpublished = True
            self._acknowledged(response, article)

        patch = {"headline": headline, "dek": f"Edit {self.edits} during a soak run."}
        return Call(
            "PATCH /v1/manage/articles/{id}",
            "PATCH",
            f"{MANAGE}/{article.article_id}",
            {**self.headers, "Content-Type": MERGE_PATCH, "If-Match": self.etag},
            orjson.dumps(patch),
            settle=settle,
        )

    def _publish(self, article: Written) -> Call:
        def settle(response: httpx.Response | None) -> None:
            if response is None or response.status_code != 200:
                article.uncertain = True
                return
            article.published_headline = article.headline
            self.unpublished = False
            self._acknowledged(response, article)

        return Call(
            "POST /v1/manage/articles/{id}/publish",
            "POST",
            f"{MANAGE}/{article.article_id}/publish",
            {**self.headers, "If-Match": self.etag},
            settle=settle,
        )

    def _acknowledged(self, response: httpx.Response, article: Written | None = None) -> None:
        self.etag = response.headers["etag"]
        if article is not None:
            article.version = response.json()["version"]
        self.ledger.acknowledged += 1


class Traffic:
    """Draws the next call of the mix; one per process, used from one event loop."""

    def __init__(
        self, catalog: Catalog, editors: list[Editor], run_id: str, clock: Callable[[], float]
    ) -> None:
        self.catalog = catalog
        self.editors = editors
        self.run_id = run_id
        self.clock = clock
        self.rng = random.Random(run_id)
        self.views = ViewLedger()
        self.etags: deque[tuple[str, str]] = deque(maxlen=2000)
        self.cursors: deque[str] = deque(maxlen=500)
        self.visitors = 0
        self.next_editor = 0
        self.routes = [*READS, "POST /v1/articles/{slug}/views", "write"]
        self.weights = [*READS.values(), BEACONS, WRITES]

    def kind(self) -> str:
        """The next route to call ("write": an editor's turn, see `editor`)."""
        return self.rng.choices(self.routes, self.weights)[0]

    def editor(self) -> Editor:
        self.next_editor = (self.next_editor + 1) % len(self.editors)
        return self.editors[self.next_editor]

    def _slug(self) -> str:
        # Skewed towards the newest articles, as a front page is.
        slugs = self.catalog.slugs
        return slugs[int(len(slugs) * self.rng.random() ** 3)]

    def read(self, route: str) -> Call:
        rng, catalog = self.rng, self.catalog
        if route == "GET /v1/articles/{slug}":
            slug = self._slug()
            return Call(route, "GET", f"/v1/articles/{slug}", settle=self._keep_etag(slug))
        if route == "GET /v1/articles/{slug} If-None-Match" and self.etags:
            slug, etag = rng.choice(self.etags)
            return Call(route, "GET", f"/v1/articles/{slug}", {"If-None-Match": etag})
        if route == "GET /v1/articles/{unknown}":
            path = f"/v1/articles/no-such-story-{rng.randrange(10**9)}"
            return Call(route, "GET", path, expect=404)
        if route == "GET /v1/articles?cursor" and self.cursors:
            path = f"/v1/articles?limit=20&cursor={rng.choice(self.cursors)}"
            return Call(route, "GET", path, settle=self._keep_cursor)
        if route == "GET /v1/articles?tag":
            return Call(route, "GET", f"/v1/articles?tag={rng.choice(catalog.tags)[1]}")
        if route == "GET /v1/articles?author":
            return Call(route, "GET", f"/v1/articles?author={rng.choice(catalog.author_ids)}")
        if route == "GET /v1/articles?type":
            kind = rng.choice(("news", "opinion", "analysis"))
            return Call(route, "GET", f"/v1/articles?type={kind}&limit=10")
        if route == "GET /v1/articles/{slug}/related":
            return Call(route, "GET", f"/v1/articles/{self._slug()}/related")
        if route == "GET /v1/authors":
            return Call(route, "GET", "/v1/authors")
        if route.startswith("GET /v1/authors/{id}"):
            tail = route.removeprefix("GET /v1/authors/{id}")
            return Call(route, "GET", f"/v1/authors/{rng.choice(catalog.author_ids)}{tail}")
        if route.startswith("GET /v1/people/{id}"):
            tail = route.removeprefix("GET /v1/people/{id}")
            return Call(route, "GET", f"/v1/people/{rng.choice(catalog.person_ids)}{tail}")
        if route == "GET /v1/tags":
            return Call(route, "GET", "/v1/tags")
        if route == "GET /v1/tags/{slug}/articles":
            return Call(route, "GET", f"/v1/tags/{rng.choice(catalog.tags)[1]}/articles")
        if route == "GET /v1/popular":
            return Call(route, "GET", "/v1/popular")
        # The first page of the list, and the fallback for a 304 or a cursor with none yet.
        return Call("GET /v1/articles", "GET", "/v1/articles?limit=20", settle=self._keep_cursor)

    def _keep_etag(self, slug: str) -> Settle:
        def settle(response: httpx.Response | None) -> None:
            if response is not None and response.status_code == 200:
                self.etags.append((slug, response.headers["etag"]))

        return settle

    def _keep_cursor(self, response: httpx.Response | None) -> None:
        if response is not None and response.status_code == 200:
            cursor = orjson.loads(response.content).get("next_cursor")
            if cursor:
                self.cursors.append(cursor)

    def beacon(self) -> Call:
        views, now = self.views, self.clock()
        while views.recent and now - views.recent[0][0] > REPEAT_WITHIN_S:
            views.recent.popleft()
        repeat = bool(views.recent) and self.rng.random() < REPEAT_SHARE
        if repeat:
            _, number, slug = self.rng.choice(views.recent)
        else:
            self.visitors += 1
            number, slug = self.visitors, self._slug()

        def settle(response: httpx.Response | None) -> None:
            accepted = response is not None and response.status_code == 202
            if repeat:
                views.repeats += accepted
            elif accepted:
                views.counted += 1
                views.recent.append((self.clock(), number, slug))
            else:
                views.lost += 1

        headers = {
            "User-Agent": BROWSER_USER_AGENT,
            "Content-Type": "text/plain;charset=UTF-8",
            # One address per visitor, as a proxy in front reports them: the per-client
            # beacon limit stays at its default and applies per reader.
            "X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}",
        }
        return Call(
            "POST /v1/articles/{slug}/views",
            "POST",
            f"/v1/articles/{slug}/views",
            headers,
            orjson.dumps({"visitor_id": f"soak-{self.run_id}-{number}"}),
            settle=settle,
        )
