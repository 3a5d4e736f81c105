"""What each feed entry carries, per tag and per author feeds, caching and refusals."""

from typing import Any

import feedparser
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.factories import make_token
from tests.feeds.reading import FORMATS, entries, every_format
from tests.helpers import problem
from tests.images import files
from tests.manage.support import Api, article_body, image_body

BASE = "http://testserver"


def rss_and_atom(client: TestClient, path: str) -> dict[str, Any]:
    parsed = {}
    for extension in ("rss", "atom"):
        response = client.get(f"{path}.{extension}")
        entries(response, extension)  # checks type and well-formedness
        parsed[extension] = feedparser.parse(response.content)
    return parsed


def test_entry_fields_in_every_format(client: TestClient, session: Session) -> None:
    writer = factories.person(session, name="Ann Poe")
    energy = factories.tag(session, slug="energy", name="Energy")
    photo = factories.image(
        session, url="https://images.example.org/pipeline.jpg", credit_line="AP/Jane Doe, Pool"
    )
    article = factories.article(
        session,
        headline="Pipeline talks resume",
        dek="Both sides return to the table.",
        author_ids=[writer.id],
        tag_ids=[energy.id],
        lead_image={"image_id": photo.id, "caption": "Delegates arrive (left)."},
    )
    link = f"{BASE}/v1/articles/{article.slug}"
    guid = f"urn:byline:article:{article.id}"

    for extension, [entry] in every_format(client, "/v1/feeds/latest").items():
        assert entry == {
            "title": "Pipeline talks resume",
            "link": link,
            "id": guid,
            "summary": "Both sides return to the table.",
        }, extension

    for extension, feed in rss_and_atom(client, "/v1/feeds/latest").items():
        [entry] = feed.entries
        assert entry.author == "Ann Poe", extension
        # Atom's term is the slug (its label the name); RSS has the name alone.
        assert [t.term for t in entry.tags] == [{"atom": "energy", "rss": "Energy"}[extension]]
        assert entry.media_content[0]["url"] == "https://images.example.org/pipeline.jpg"
        assert entry.media_credit[0]["content"] == "AP/Jane Doe, Pool"
        assert entry.published_parsed is not None

    [item] = client.get("/v1/feeds/latest.json").json()["items"]
    assert item["authors"] == [{"name": "Ann Poe", "url": f"{BASE}/v1/authors/{writer.id}"}]
    assert item["tags"] == ["Energy"]
    assert item["image"] == "https://images.example.org/pipeline.jpg"
    assert item["_byline"]["lead_image"]["credit"] == "AP/Jane Doe, Pool"
    assert item["_byline"]["lead_image"]["caption"] == "Delegates arrive (left)."


def test_an_uploaded_lead_image_is_its_largest_jpeg_rendition(
    client: TestClient, session: Session
) -> None:
    api = Api(client, make_token(session, "content:write", "content:publish"))
    photo = api.create("images", image_body(credit_line="Office of the Prime Minister via AP"))
    response = api.request(
        "PUT",
        f"/images/{photo['id']}/file",
        files={"file": ("lead.jpg", files.jpeg(640, 480), "image/jpeg")},
        headers=api.headers(**{"If-Match": api.etag("images", photo["id"])}),
    )
    assert response.status_code == 200, response.text
    story = api.create("articles", article_body(lead_image={"image_id": photo["id"]}))
    api.publish(story["id"])
    document = client.get(f"/v1/articles/{story['slug']}").json()
    original = document["lead_image"]["image"]["file"]["renditions"][0]
    jpeg = next(s for s in original["sources"] if s["format"] == "jpeg")
    largest = BASE + jpeg["srcset"].split(", ")[-1].split(" ")[0]

    for extension, feed in rss_and_atom(client, "/v1/feeds/latest").items():
        [content] = feed.entries[0].media_content
        assert content["url"] == largest, extension
        assert (content["type"], content["width"], content["height"]) == (
            "image/jpeg",
            str(original["width"]),
            str(original["height"]),
        )
    assert rss_and_atom(client, "/v1/feeds/latest")["atom"].entries[0].enclosures[0].href == largest
    [item] = client.get("/v1/feeds/latest.json").json()["items"]
    assert item["image"] == largest
    assert client.get(largest.removeprefix(BASE)).status_code == 200


def test_tag_and_author_feeds_hold_only_their_articles(
    client: TestClient, session: Session
) -> None:
    writer = factories.person(session, name="Ann Poe")
    energy = factories.tag(session, name="Energy")
    mine = factories.article(session, author_ids=[writer.id], published_at=factories.hours_ago(2))
    tagged = factories.article(session, tag_ids=[energy.id], published_at=factories.hours_ago(1))
    factories.article(session)
    factories.draft(session, author_ids=[writer.id], tag_ids=[energy.id])

    for extension, shown in every_format(client, f"/v1/feeds/tags/{energy.slug}").items():
        assert [e["title"] for e in shown] == [tagged.headline], extension
    for extension, shown in every_format(client, f"/v1/feeds/authors/{writer.id}").items():
        assert [e["title"] for e in shown] == [mine.headline], extension

    tag_feed = client.get(f"/v1/feeds/tags/{energy.slug}.json").json()
    assert tag_feed["title"] == "Byline: Energy"
    assert tag_feed["feed_url"] == f"{BASE}/v1/feeds/tags/{energy.slug}.json"
    author_feed = feedparser.parse(client.get(f"/v1/feeds/authors/{writer.id}.atom").content)
    assert author_feed.feed.title == "Byline: Ann Poe"


def test_cache_headers_and_304(client: TestClient, session: Session) -> None:
    energy = factories.tag(session)
    article = factories.article(session, tag_ids=[energy.id])
    for extension in FORMATS:
        path = f"/v1/feeds/tags/{energy.slug}.{extension}"
        response = client.get(path)
        assert response.headers["cache-control"].startswith("public, max-age=")
        assert response.headers["surrogate-key"].split() == [
            "feeds",
            f"tag:{energy.id}",
            f"article:{article.id}",
        ]
        again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == response.headers["etag"]

    before = client.get("/v1/feeds/latest.rss").headers["etag"]
    factories.article(session)
    assert client.get("/v1/feeds/latest.rss").headers["etag"] != before


def test_unknown_tags_and_authors_are_404(client: TestClient, session: Session) -> None:
    drafted = factories.tag(session)
    ghost = factories.person(session)
    factories.draft(session, tag_ids=[drafted.id], author_ids=[ghost.id])
    quoted = factories.person(session)
    factories.article(session, mentions=[{"person_id": quoted.id}])

    for extension in FORMATS:
        problem(client.get(f"/v1/feeds/tags/no-such-tag.{extension}"), 404)
        problem(client.get(f"/v1/feeds/tags/{drafted.slug}.{extension}"), 404)
        problem(client.get(f"/v1/feeds/authors/{ghost.id}.{extension}"), 404)
        # Mentioned is not an author.
        problem(client.get(f"/v1/feeds/authors/{quoted.id}.{extension}"), 404)


def test_an_unknown_format_is_406_listing_those_offered(
    client: TestClient, session: Session
) -> None:
    energy = factories.tag(session)
    writer = factories.person(session)
    factories.article(session, tag_ids=[energy.id], author_ids=[writer.id])

    for path in (
        "/v1/feeds/latest.xml",
        f"/v1/feeds/tags/{energy.slug}.html",
        f"/v1/feeds/authors/{writer.id}.rdf",
    ):
        body = problem(client.get(path), 406)
        assert body["type"] == "urn:byline:problem:not-acceptable"
        for extension, media_type in FORMATS.items():
            assert f"{extension} ({media_type})" in body["detail"]
    problem(client.get("/v1/feeds/latest.rss", params={"limit": 5}), 400)
