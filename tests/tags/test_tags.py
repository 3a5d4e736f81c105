"""Tags of visible published articles, and the articles under each."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.helpers import items, problem, slugs, walk


def test_tags_by_slug_with_visible_article_counts(client: TestClient, session: Session) -> None:
    energy = factories.tag(session, slug="energy", name="Energy", description="Oil and gas.")
    vienna = factories.tag(session, slug="vienna", name="Vienna", kind="place")
    diplomacy = factories.tag(session, slug="diplomacy", name="Diplomacy")
    factories.article(session, tag_ids=[vienna.id, diplomacy.id])
    factories.article(session, tag_ids=[diplomacy.id, energy.id])
    factories.article(session, tag_ids=[diplomacy.id])
    factories.draft(session, tag_ids=[energy.id], published_at=factories.hours_ago(1))
    factories.scheduled(session, tag_ids=[energy.id])

    tags = items(client.get("/v1/tags"))

    assert tags == [
        {
            "id": diplomacy.id,
            "slug": "diplomacy",
            "name": "Diplomacy",
            "kind": "topic",
            "description": None,
            "article_count": 3,
        },
        {
            "id": energy.id,
            "slug": "energy",
            "name": "Energy",
            "kind": "topic",
            "description": "Oil and gas.",
            "article_count": 1,
        },
        {
            "id": vienna.id,
            "slug": "vienna",
            "name": "Vienna",
            "kind": "place",
            "description": None,
            "article_count": 1,
        },
    ]


def test_tags_only_of_drafts_or_scheduled_are_not_listed(
    client: TestClient, session: Session, clock: Clock
) -> None:
    drafted = factories.tag(session)
    waiting = factories.tag(session)
    factories.tag(session)  # on no article at all
    factories.draft(session, tag_ids=[drafted.id], published_at=factories.hours_ago(1))
    future = factories.scheduled(session, tag_ids=[waiting.id])

    assert items(client.get("/v1/tags")) == []

    assert future.published_at is not None
    clock.pinned = future.published_at
    assert [t["slug"] for t in items(client.get("/v1/tags"))] == [waiting.slug]


def test_tags_filtered_by_kind(client: TestClient, session: Session) -> None:
    place = factories.tag(session, kind="place")
    section = factories.tag(session, kind="section")
    topic = factories.tag(session, kind="topic")
    factories.article(session, tag_ids=[place.id, section.id, topic.id])

    for tag in (place, section, topic):
        listed = items(client.get("/v1/tags", params={"kind": tag.kind}))
        assert [t["id"] for t in listed] == [tag.id]


def test_tags_page_through_every_tag_once(client: TestClient, session: Session) -> None:
    tags = [factories.tag(session, slug=f"topic-{letter}") for letter in "edcba"]
    factories.article(session, tag_ids=[t.id for t in tags])

    pages = walk(client, "/v1/tags", limit=2)

    assert [[t["slug"] for t in page] for page in pages] == [
        ["topic-a", "topic-b"],
        ["topic-c", "topic-d"],
        ["topic-e"],
    ]


def test_articles_with_a_tag_newest_first(client: TestClient, session: Session) -> None:
    topic = factories.tag(session)
    old = factories.article(session, tag_ids=[topic.id], published_at=factories.hours_ago(6))
    new = factories.article(session, tag_ids=[topic.id], published_at=factories.hours_ago(1))
    factories.article(session, tag_ids=[factories.tag(session).id])
    factories.draft(session, tag_ids=[topic.id], published_at=factories.hours_ago(2))
    factories.scheduled(session, tag_ids=[topic.id])

    response = client.get(f"/v1/tags/{topic.slug}/articles")

    assert slugs(response) == [new.slug, old.slug]
    assert f"tag:{topic.id}" in response.headers["surrogate-key"].split()


def test_articles_with_a_tag_page_with_cursor(client: TestClient, session: Session) -> None:
    topic = factories.tag(session)
    arts = [
        factories.article(session, tag_ids=[topic.id], published_at=factories.hours_ago(h))
        for h in range(1, 6)
    ]

    pages = walk(client, f"/v1/tags/{topic.slug}/articles", limit=2)

    assert [i["slug"] for page in pages for i in page] == [a.slug for a in arts]
    assert len(pages) == 3


def test_articles_of_unknown_or_unpublished_tag_are_404(
    client: TestClient, session: Session, clock: Clock
) -> None:
    drafted = factories.tag(session)
    waiting = factories.tag(session)
    factories.draft(session, tag_ids=[drafted.id], published_at=factories.hours_ago(1))
    publish_at = factories.hours_ahead(1)
    future = factories.scheduled(session, published_at=publish_at, tag_ids=[waiting.id])

    for slug in (drafted.slug, waiting.slug, "no-such-tag"):
        problem(client.get(f"/v1/tags/{slug}/articles"), 404)

    clock.pinned = publish_at + timedelta(seconds=1)
    assert slugs(client.get(f"/v1/tags/{waiting.slug}/articles")) == [future.slug]
