"""Authors: people in the byline of at least one visible published article."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.pagination import encode_cursor
from tests import factories
from tests.conftest import Clock
from tests.helpers import ids, items, ok, problem, slugs, walk


def test_authors_are_listed_by_sort_name(client: TestClient, session: Session) -> None:
    zoe = factories.person(session, name="Zoe Abbot", sort_name="Abbot, Zoe")
    bea = factories.person(session, name="Bea Mills")
    carl = factories.person(session, name="Carl Young", sort_name="Young, Carl")
    factories.article(session, author_ids=[carl.id, bea.id])
    factories.article(session, author_ids=[zoe.id])

    assert ids(client.get("/v1/authors")) == [zoe.id, bea.id, carl.id]


def test_author_list_counts_only_visible_articles(client: TestClient, session: Session) -> None:
    ada = factories.person(session, name="Ada")
    factories.article(session, author_ids=[ada.id])
    factories.article(session, author_ids=[ada.id])
    factories.draft(session, author_ids=[ada.id], published_at=factories.hours_ago(1))
    factories.scheduled(session, author_ids=[ada.id])

    [card] = items(client.get("/v1/authors"))

    assert card["id"] == ada.id
    assert card["article_count"] == 2


def test_author_list_leaves_out_draft_scheduled_and_mentioned_only_people(
    client: TestClient, session: Session, clock: Clock
) -> None:
    published = factories.person(session, name="A Published")
    drafted = factories.person(session, name="B Drafted")
    waiting = factories.person(session, name="C Waiting")
    mentioned = factories.person(session, name="D Mentioned")
    factories.article(session, author_ids=[published.id], mentions=[{"person_id": mentioned.id}])
    factories.draft(session, author_ids=[drafted.id], published_at=factories.hours_ago(1))
    future = factories.scheduled(session, author_ids=[waiting.id])

    assert ids(client.get("/v1/authors")) == [published.id]

    assert future.published_at is not None
    clock.pinned = future.published_at
    assert ids(client.get("/v1/authors")) == [published.id, waiting.id]


def test_author_list_pages_through_every_author_once(client: TestClient, session: Session) -> None:
    # Same sort names on purpose: the id breaks the tie.
    authors = [factories.person(session, name=f"Writer {i % 3}") for i in range(7)]
    for author in authors:
        factories.article(session, author_ids=[author.id])

    pages = walk(client, "/v1/authors", limit=2)

    seen = [card["id"] for page in pages for card in page]
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert seen == [a.id for a in sorted(authors, key=lambda a: (a.name, a.id))]


def test_author_card(client: TestClient, session: Session) -> None:
    headshot = factories.image(session)
    ada = factories.person(
        session,
        name="Ada Quill",
        sort_name="Quill, Ada",
        description="Columnist",
        bio="Writes about diplomacy.",
        headshot_image_id=headshot.id,
        links=[{"label": "Site", "url": "https://ada.example"}],
        affiliations=[{"role": "Senior fellow", "organization": "Example Council"}],
    )
    factories.article(session, author_ids=[ada.id])
    factories.article(session, author_ids=[ada.id])

    response = client.get(f"/v1/authors/{ada.id}")
    card = ok(response)

    assert card["id"] == ada.id
    assert card["kind"] == "person"
    assert card["name"] == "Ada Quill"
    assert card["sort_name"] == "Quill, Ada"
    assert card["description"] == "Columnist"
    assert card["bio"] == "Writes about diplomacy."
    assert card["bio_line"] == "Senior fellow, Example Council"
    assert card["affiliations"][0]["organization"] == "Example Council"
    assert card["headshot"]["id"] == headshot.id
    assert card["links"] == [{"label": "Site", "url": "https://ada.example"}]
    assert card["article_count"] == 2
    assert f"person:{ada.id}" in response.headers["surrogate-key"].split()


def test_author_with_only_drafts_is_404(client: TestClient, session: Session) -> None:
    ada = factories.person(session)
    factories.draft(session, author_ids=[ada.id], published_at=factories.hours_ago(1))

    problem(client.get(f"/v1/authors/{ada.id}"), 404)
    problem(client.get(f"/v1/authors/{ada.id}/articles"), 404)


def test_author_with_only_scheduled_articles_appears_on_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    ada = factories.person(session)
    future = factories.scheduled(session, author_ids=[ada.id])

    problem(client.get(f"/v1/authors/{ada.id}"), 404)
    problem(client.get(f"/v1/authors/{ada.id}/articles"), 404)

    assert future.published_at is not None
    clock.pinned = future.published_at + timedelta(seconds=1)
    assert ok(client.get(f"/v1/authors/{ada.id}"))["article_count"] == 1
    assert slugs(client.get(f"/v1/authors/{ada.id}/articles")) == [future.slug]


def test_people_who_are_not_authors_are_404(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    factories.article(session, mentions=[{"person_id": minister.id}])
    assert minister.id is not None

    problem(client.get(f"/v1/authors/{minister.id}"), 404)
    problem(client.get(f"/v1/authors/{minister.id + 1000}"), 404)


def test_author_articles_newest_first_and_only_visible(
    client: TestClient, session: Session
) -> None:
    ada = factories.person(session)
    ben = factories.person(session)
    old = factories.article(session, author_ids=[ada.id], published_at=factories.hours_ago(5))
    joint = factories.article(
        session, author_ids=[ben.id, ada.id], published_at=factories.hours_ago(1)
    )
    factories.article(session, author_ids=[ben.id])
    factories.draft(session, author_ids=[ada.id], published_at=factories.hours_ago(2))
    factories.scheduled(session, author_ids=[ada.id])

    assert slugs(client.get(f"/v1/authors/{ada.id}/articles")) == [joint.slug, old.slug]


def test_author_articles_past_the_last_one_are_an_empty_page(
    client: TestClient, session: Session
) -> None:
    ada = factories.person(session)
    last = factories.article(session, author_ids=[ada.id])
    assert last.published_at is not None
    assert last.id is not None
    # Where a page ending on the author's last article would point.
    past_end = encode_cursor((last.published_at, last.id))

    response = client.get(f"/v1/authors/{ada.id}/articles", params={"cursor": past_end})

    assert items(response) == []
    problem(client.get("/v1/authors/999999/articles", params={"cursor": past_end}), 404)


def test_author_articles_page_with_cursor(client: TestClient, session: Session) -> None:
    ada = factories.person(session)
    arts = [
        factories.article(session, author_ids=[ada.id], published_at=factories.hours_ago(h))
        for h in range(1, 6)
    ]

    pages = walk(client, f"/v1/authors/{ada.id}/articles", limit=2)

    assert [[i["slug"] for i in page] for page in pages] == [
        [arts[0].slug, arts[1].slug],
        [arts[2].slug, arts[3].slug],
        [arts[4].slug],
    ]
