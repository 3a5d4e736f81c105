"""Sitemaps through HTTP: the index, monthly sitemaps and their parts, the news sitemap."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.sitemaps.router import max_urls_per_sitemap
from tests import factories
from tests.conftest import Clock
from tests.helpers import problem
from tests.images import files
from tests.manage.support import Api
from tests.sitemaps.support import (
    NEWS,
    ORIGIN,
    SITEMAP,
    article_url,
    image_locs,
    locs,
    text,
    urls,
    xml,
)

NOW = datetime.now(UTC)
# A month wholly past, whatever day the tests run.
YEAR, MONTH = 2025, 10
IN_MONTH = datetime(YEAR, MONTH, 15, 12, tzinfo=UTC)
MONTH_PATH = f"/v1/sitemaps/{YEAR}-{MONTH:02d}.xml"


@pytest.fixture
def small_sitemaps(app: FastAPI) -> Iterator[None]:
    """Months split every 2 URLs."""
    app.dependency_overrides[max_urls_per_sitemap] = lambda: 2
    yield
    del app.dependency_overrides[max_urls_per_sitemap]


def test_a_month_holds_its_articles_oldest_first_from_first_to_last_instant(
    client: TestClient, session: Session
) -> None:
    first = factories.article(session, published_at=datetime(YEAR, MONTH, 1, tzinfo=UTC))
    last = factories.article(
        session, published_at=datetime(YEAR, MONTH, 31, 23, 59, 59, 999999, tzinfo=UTC)
    )
    middle = factories.article(session, published_at=IN_MONTH)
    before = factories.article(
        session, published_at=datetime(YEAR, MONTH - 1, 30, 23, 59, 59, 999999, tzinfo=UTC)
    )
    after = factories.article(session, published_at=datetime(YEAR, MONTH + 1, 1, tzinfo=UTC))
    factories.draft(session, published_at=IN_MONTH)

    assert locs(client.get(MONTH_PATH)) == [article_url(a.slug) for a in (first, middle, last)]
    assert locs(client.get(f"/v1/sitemaps/{YEAR}-{MONTH - 1:02d}.xml")) == [
        article_url(before.slug)
    ]
    assert locs(client.get(f"/v1/sitemaps/{YEAR}-{MONTH + 1:02d}.xml")) == [article_url(after.slug)]


def test_lastmod_is_the_update_time_else_the_publish_time(
    client: TestClient, session: Session
) -> None:
    factories.article(session, published_at=IN_MONTH)
    factories.article(
        session, published_at=IN_MONTH + timedelta(hours=1), updated_at="2025-10-20T08:30:00Z"
    )
    entries = urls(client.get(MONTH_PATH))
    assert [text(e, SITEMAP + "lastmod") for e in entries] == [
        "2025-10-15T12:00:00Z",
        "2025-10-20T08:30:00Z",
    ]


def test_images_are_the_lead_and_body_images_each_once(
    client: TestClient, session: Session
) -> None:
    lead, inline = factories.image(session), factories.image(session)
    factories.article(
        session,
        published_at=IN_MONTH,
        lead_image={"image_id": lead.id},
        body=[
            {"type": "paragraph", "html": "Text."},
            {"type": "image", "image_id": inline.id},
            {"type": "image", "image_id": lead.id, "caption": "Again."},
        ],
    )
    (entry,) = urls(client.get(MONTH_PATH))
    assert image_locs(entry) == [lead.url, inline.url]


def test_an_uploaded_file_is_named_by_its_widest_jpeg_rendition(
    client: TestClient, session: Session
) -> None:
    api = Api(client, factories.make_token(session, "content:write"))
    photo = factories.image(session)
    assert photo.id is not None
    part = ("a.jpg", files.jpeg(900, 600), "image/jpeg")
    response = api.request(
        "PUT",
        f"/images/{photo.id}/file",
        files={"file": part},
        headers=api.headers(**{"If-Match": api.etag("images", photo.id)}),
    )
    assert response.status_code == 200, response.text
    article = factories.article(session, published_at=IN_MONTH, lead_image={"image_id": photo.id})

    (entry,) = urls(client.get(MONTH_PATH))
    (loc,) = image_locs(entry)
    document = client.get(f"/v1/articles/{article.slug}").json()
    original = document["lead_image"]["image"]["file"]["renditions"][0]
    jpeg = next(s for s in original["sources"] if s["format"] == "jpeg")
    widths = {
        ORIGIN + url: int(w[:-1]) for url, w in (c.split() for c in jpeg["srcset"].split(", "))
    }
    assert widths[loc] == max(widths.values())
    served = client.get(loc.removeprefix(ORIGIN))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"


def test_drafts_and_scheduled_articles_never_appear(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.pinned = IN_MONTH
    shown = factories.article(session, published_at=IN_MONTH - timedelta(hours=1))
    factories.draft(session, published_at=IN_MONTH - timedelta(hours=2))
    coming = factories.article(session, published_at=IN_MONTH + timedelta(hours=1))
    for path in (MONTH_PATH, "/v1/sitemaps/news.xml"):
        assert locs(client.get(path)) == [article_url(shown.slug)]

    clock.pinned = IN_MONTH + timedelta(hours=1)
    assert locs(client.get(MONTH_PATH)) == [article_url(shown.slug), article_url(coming.slug)]
    assert locs(client.get("/v1/sitemaps/news.xml")) == [
        article_url(coming.slug),
        article_url(shown.slug),
    ]


def test_a_month_past_the_bound_splits_into_parts(
    client: TestClient, session: Session, small_sitemaps: None
) -> None:
    made = [
        factories.article(session, published_at=IN_MONTH + timedelta(minutes=m)) for m in range(5)
    ]
    index = xml(client.get("/v1/sitemaps/index.xml"), "sitemapindex")
    listed = [text(s, SITEMAP + "loc") for s in index]
    assert listed == [
        f"{ORIGIN}/v1/sitemaps/news.xml",
        ORIGIN + MONTH_PATH,
        ORIGIN + MONTH_PATH + "?part=2",
        ORIGIN + MONTH_PATH + "?part=3",
    ]
    parts = [locs(client.get(url.removeprefix(ORIGIN))) for url in listed[1:]]
    assert [len(p) for p in parts] == [2, 2, 1]
    assert [loc for part in parts for loc in part] == [article_url(a.slug) for a in made]
    problem(client.get(MONTH_PATH, params={"part": 4}), 404)


def test_the_index_lists_every_month_oldest_first_with_lastmod(
    client: TestClient, session: Session
) -> None:
    factories.article(session, published_at=datetime(2024, 12, 31, 23, tzinfo=UTC))
    factories.article(session, published_at=IN_MONTH)
    factories.draft(session, published_at=datetime(2023, 1, 5, tzinfo=UTC))
    index = xml(client.get("/v1/sitemaps/index.xml"), "sitemapindex")
    assert [text(s, SITEMAP + "loc") for s in index] == [
        f"{ORIGIN}/v1/sitemaps/news.xml",
        f"{ORIGIN}/v1/sitemaps/2024-12.xml",
        ORIGIN + MONTH_PATH,
    ]
    assert index[0].find(SITEMAP + "lastmod") is None
    for sitemap in index[1:]:
        lastmod = datetime.fromisoformat(text(sitemap, SITEMAP + "lastmod"))
        assert lastmod.tzinfo is not None


def test_news_holds_the_last_48_hours_newest_first(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.pinned = NOW
    older = factories.article(session, published_at=NOW - timedelta(hours=47))
    newer = factories.article(session, published_at=NOW - timedelta(hours=1))
    factories.article(session, published_at=NOW - timedelta(hours=49))

    entries = urls(client.get("/v1/sitemaps/news.xml"))
    assert [text(e, SITEMAP + "loc") for e in entries] == [
        article_url(newer.slug),
        article_url(older.slug),
    ]
    news = entries[0].find(NEWS + "news")
    assert news is not None
    assert text(news, f"{NEWS}publication/{NEWS}name") == "Byline"
    assert text(news, f"{NEWS}publication/{NEWS}language") == "en"
    assert text(news, NEWS + "title") == client.get(f"/v1/articles/{newer.slug}").json()["headline"]
    published = datetime.fromisoformat(text(news, NEWS + "publication_date"))
    assert abs(published - (NOW - timedelta(hours=1))) < timedelta(seconds=1)

    clock.pinned = NOW + timedelta(hours=2)
    assert locs(client.get("/v1/sitemaps/news.xml")) == [article_url(newer.slug)]
    clock.pinned = NOW + timedelta(hours=50)
    assert xml(client.get("/v1/sitemaps/news.xml"), "urlset").find(SITEMAP + "url") is None


def test_hostile_headlines_stay_well_formed(client: TestClient, session: Session) -> None:
    headline = "A ]]> B <script>alert(1)</script> & \x0b\x1b\ufffe emoji \U0001f600 \"'"
    factories.article(session, headline=headline)
    (entry,) = urls(client.get("/v1/sitemaps/news.xml"))
    assert text(entry, f"{NEWS}news/{NEWS}title") == (
        "A ]]> B <script>alert(1)</script> &  emoji \U0001f600 \"'"
    )


def test_empty_future_and_malformed_months(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.pinned = NOW
    factories.article(session, published_at=IN_MONTH)
    problem(client.get("/v1/sitemaps/2025-09.xml"), 404)
    ahead = NOW + timedelta(days=40)
    problem(client.get(f"/v1/sitemaps/{ahead.year}-{ahead.month:02d}.xml"), 404)
    for bad in ("2025-13", "2025-1", "0000-10", "25-10"):
        problem(client.get(f"/v1/sitemaps/{bad}.xml"), 422)
    problem(client.get(MONTH_PATH, params={"part": 0}), 422)
    problem(client.get(MONTH_PATH, params={"page": 2}), 400)
    problem(client.get("/v1/sitemaps/elsewhere.xml"), 404)


@pytest.mark.parametrize("path", ["/v1/sitemaps/index.xml", "/v1/sitemaps/news.xml", MONTH_PATH])
def test_conditional_get_and_cache_headers(client: TestClient, session: Session, path: str) -> None:
    factories.article(session, published_at=IN_MONTH)
    factories.article(session)
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["surrogate-key"] == "articles sitemaps"
    assert "s-maxage=" in first.headers["cache-control"]
    etag = first.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag

    # One for each: the month, the last 48 hours, and a month the index did not list.
    factories.article(session, published_at=IN_MONTH + timedelta(hours=1))
    factories.article(session, published_at=NOW - timedelta(minutes=5))
    factories.article(session, published_at=datetime(2024, 6, 1, tzinfo=UTC))
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
