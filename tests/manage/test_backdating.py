"""Publishing with a past `publish_at` (an archive import), and times always in UTC."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.helpers import items, ok
from tests.manage.support import Api, article_body, person_body, tag_body

# Sent with an offset; the same instant in UTC is 2019-03-04T04:00:00Z.
SENT = {
    "utc": ("2019-03-04T04:00:00Z", "2019-03-04T04:00:00Z"),
    "india": ("2019-03-04T09:30:00+05:30", "2019-03-04T04:00:00Z"),
    "new-york": ("2019-03-03T23:00:00-05:00", "2019-03-04T04:00:00Z"),
    "fraction": ("2019-03-04T09:30:00.5+05:30", "2019-03-04T04:00:00.500000Z"),
}


@pytest.mark.parametrize(("sent", "expected"), SENT.values(), ids=SENT.keys())
def test_a_past_publish_at_backdates_the_article_in_utc_everywhere(
    api: Api, client: TestClient, sent: str, expected: str
) -> None:
    author = api.create("people", person_body())
    topic = api.create("tags", tag_body())
    article = api.create("articles", article_body(author_ids=[author["id"]], tag_ids=[topic["id"]]))
    newer = api.create("articles", article_body())
    api.publish(newer["id"])

    record = api.publish(article["id"], publish_at=sent)

    assert record["status"] == "published"
    assert record["published_at"] == expected
    assert api.read("articles", article["id"])[0]["published_at"] == expected
    document = ok(client.get(f"/v1/articles/{article['slug']}"))
    assert document["published_at"] == expected
    for url in (
        "/v1/articles",
        f"/v1/tags/{topic['slug']}/articles",
        f"/v1/authors/{author['id']}/articles",
    ):
        listed = {item["slug"]: item for item in items(client.get(url))}
        assert listed[article["slug"]]["published_at"] == expected, url
    # Backdated, it sorts by the time it was first published, behind newer stories.
    assert [item["slug"] for item in items(client.get("/v1/articles"))] == [
        newer["slug"],
        article["slug"],
    ]


def test_a_backdated_article_is_found_by_its_past_time(api: Api, client: TestClient) -> None:
    article = api.create("articles", article_body())
    api.publish(article["id"], publish_at="2019-03-04T09:30:00+05:30")

    before = items(client.get("/v1/articles", params={"published_before": "2019-03-04T04:00:01Z"}))
    after = items(client.get("/v1/articles", params={"published_after": "2019-03-04T04:00:01Z"}))

    assert [item["slug"] for item in before] == [article["slug"]]
    assert after == []


def test_now_is_returned_in_utc_too(api: Api, client: TestClient) -> None:
    article = api.create("articles", article_body())

    published_at = api.publish(article["id"])["published_at"]

    assert published_at.endswith("Z")
    moment = datetime.fromisoformat(published_at)
    assert moment.utcoffset() is not None
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60
    assert ok(client.get(f"/v1/articles/{article['slug']}"))["published_at"] == published_at


def test_a_correction_time_sent_with_an_offset_is_returned_in_utc(
    api: Api, client: TestClient
) -> None:
    article = api.create("articles", article_body(updated_at="2026-11-02T10:15:00+01:00"))
    api.publish(article["id"])

    assert article["updated_at"] == "2026-11-02T09:15:00Z"
    assert api.read("articles", article["id"])[0]["updated_at"] == "2026-11-02T09:15:00Z"
    document = ok(client.get(f"/v1/articles/{article['slug']}"))
    assert document["updated_at"] == "2026-11-02T09:15:00Z"
