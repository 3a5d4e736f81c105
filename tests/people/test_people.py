"""People and organizations: visible only when a visible published article shows them."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Person
from tests import factories
from tests.conftest import Clock
from tests.helpers import items, ok, problem, slugs, walk


def test_person_card(client: TestClient, session: Session) -> None:
    minister = factories.person(
        session,
        name="Helena Marsh",
        sort_name="Marsh, Helena",
        description="Foreign Minister of Norvania",
        affiliations=[{"role": "Foreign Minister", "organization": "Norvania"}],
    )
    factories.article(session, mentions=[{"person_id": minister.id}])

    response = client.get(f"/v1/people/{minister.id}")
    card = ok(response)

    assert card["id"] == minister.id
    assert card["kind"] == "person"
    assert card["name"] == "Helena Marsh"
    assert card["sort_name"] == "Marsh, Helena"
    assert card["description"] == "Foreign Minister of Norvania"
    assert card["bio_line"] == "Foreign Minister, Norvania"
    assert card["headshot"] is None
    assert f"person:{minister.id}" in response.headers["surrogate-key"].split()


def _shown_as(session: Session, who: Person, how: str, **article: Any) -> None:
    if how == "author":
        factories.article(session, author_ids=[who.id], **article)
    elif how == "mention":
        factories.article(session, mentions=[{"person_id": who.id}], **article)
    elif how == "speaker":
        words = factories.quote(session, who)
        factories.article(session, body=[{"type": "quote", "quote_id": words.id}], **article)
    elif how == "pictured":
        photo = factories.image(session, depicted=[{"person_id": who.id}])
        factories.article(session, lead_image={"image_id": photo.id}, **article)
    else:  # affiliation: an organization named in an author's bio line
        author = factories.person(
            session, affiliations=[{"role": "Fellow", "organization_id": who.id}]
        )
        factories.article(session, author_ids=[author.id], **article)


WAYS = ["author", "mention", "speaker", "pictured", "affiliation"]


@pytest.mark.parametrize("how", WAYS)
def test_person_is_visible_however_a_published_article_shows_them(
    client: TestClient, session: Session, how: str
) -> None:
    who = factories.person(session, name="Shown Person")
    _shown_as(session, who, how)

    assert ok(client.get(f"/v1/people/{who.id}"))["name"] == "Shown Person"


@pytest.mark.parametrize("how", WAYS)
def test_person_shown_only_in_a_draft_is_404(
    client: TestClient, session: Session, how: str
) -> None:
    who = factories.person(session)
    _shown_as(session, who, how, status="draft", published_at=factories.hours_ago(1))

    problem(client.get(f"/v1/people/{who.id}"), 404)
    problem(client.get(f"/v1/people/{who.id}/quotes"), 404)
    problem(client.get(f"/v1/people/{who.id}/articles"), 404)


@pytest.mark.parametrize("how", WAYS)
def test_person_shown_only_in_a_scheduled_article_appears_on_time(
    client: TestClient, session: Session, clock: Clock, how: str
) -> None:
    who = factories.person(session)
    publish_at = factories.hours_ahead(2)
    _shown_as(session, who, how, published_at=publish_at)

    problem(client.get(f"/v1/people/{who.id}"), 404)
    clock.pinned = publish_at + timedelta(seconds=1)
    assert ok(client.get(f"/v1/people/{who.id}"))["id"] == who.id


def test_unknown_person_is_404(client: TestClient, session: Session) -> None:
    hidden = factories.person(session)
    assert hidden.id is not None

    for person_id in (hidden.id, hidden.id + 1000):
        problem(client.get(f"/v1/people/{person_id}"), 404)


def test_quotes_of_a_person_newest_first(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    other = factories.person(session)
    old = factories.quote(session, minister, said_on="2025-03-01")
    new = factories.quote(session, minister, said_on="2026-09-30")
    middle = factories.quote(session, minister, said_on="2026-01-15")
    theirs = factories.quote(session, other, said_on="2026-10-01")
    unused = factories.quote(session, minister, said_on="2026-10-02")
    in_draft = factories.quote(session, minister, said_on="2026-10-03")
    factories.article(
        session,
        body=[{"type": "quote", "quote_id": q.id} for q in (old, new, middle, theirs)],
    )
    factories.draft(session, body=[{"type": "quote", "quote_id": in_draft.id}])
    assert unused.id is not None

    quotes = items(client.get(f"/v1/people/{minister.id}/quotes"))

    assert [q["id"] for q in quotes] == [new.id, middle.id, old.id]
    assert {q["speaker"]["id"] for q in quotes} == {minister.id}


def test_quotes_of_a_person_page_with_cursor(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    # Two on the same day: the id keeps the order stable across pages.
    said = ["2026-01-01", "2026-02-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    quotes = [factories.quote(session, minister, said_on=day) for day in said]
    factories.article(session, body=[{"type": "quote", "quote_id": q.id} for q in quotes])

    pages = walk(client, f"/v1/people/{minister.id}/quotes", limit=2)

    seen = [q["id"] for page in pages for q in page]
    assert seen == [q.id for q in sorted(quotes, key=lambda q: (q.said_on, q.id), reverse=True)]


def test_undated_quotes_of_a_person_come_last_across_pages(
    client: TestClient, session: Session
) -> None:
    minister = factories.person(session)
    undated = [factories.quote(session, minister, said_on=None) for _ in range(3)]
    dated = [
        factories.quote(session, minister, said_on=day) for day in ("2026-01-01", "2026-02-01")
    ]
    theirs = factories.quote(session, factories.person(session), said_on=None)
    factories.article(
        session, body=[{"type": "quote", "quote_id": q.id} for q in (*undated, *dated, theirs)]
    )

    pages = walk(client, f"/v1/people/{minister.id}/quotes", limit=2)

    seen = [q["id"] for page in pages for q in page]
    assert seen == [dated[1].id, dated[0].id, undated[2].id, undated[1].id, undated[0].id]
    assert [q["said_on_precision"] for page in pages for q in page][-1] == "unknown"


def test_written_bio_line_is_printed_exactly_and_generated_otherwise(
    client: TestClient, session: Session
) -> None:
    affiliations = [
        {"role": "Executive Director", "organization": "ACME"},
        {"role": "member of Parliament", "is_current": False},
    ]
    printed = "Executive Director of ACME and former member of Parliament"
    written = factories.person(session, bio_line=printed, affiliations=affiliations)
    generated = factories.person(session, affiliations=affiliations)
    story = factories.article(session, author_ids=[written.id, generated.id])

    document = ok(client.get(f"/v1/articles/{story.slug}"))

    lines = ["Executive Director, ACME; former member of Parliament"]
    assert [a["bio_line"] for a in document["authors"]] == [printed, *lines]
    assert ok(client.get(f"/v1/people/{written.id}"))["bio_line"] == printed
    assert ok(client.get(f"/v1/people/{generated.id}"))["bio_line"] == lines[0]
    # The card keeps the affiliations either way.
    assert len(ok(client.get(f"/v1/people/{written.id}"))["affiliations"]) == 2


def test_articles_mentioning_a_person_newest_first(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    old = factories.article(
        session, mentions=[{"person_id": minister.id}], published_at=factories.hours_ago(4)
    )
    new = factories.article(
        session, mentions=[{"person_id": minister.id}], published_at=factories.hours_ago(1)
    )
    factories.article(session, author_ids=[minister.id])
    factories.article(session)
    factories.draft(session, mentions=[{"person_id": minister.id}])
    factories.scheduled(session, mentions=[{"person_id": minister.id}])

    assert slugs(client.get(f"/v1/people/{minister.id}/articles")) == [new.slug, old.slug]


def test_articles_mentioning_a_person_page_with_cursor(
    client: TestClient, session: Session
) -> None:
    minister = factories.person(session)
    arts = [
        factories.article(
            session, mentions=[{"person_id": minister.id}], published_at=factories.hours_ago(h)
        )
        for h in range(1, 6)
    ]

    pages = walk(client, f"/v1/people/{minister.id}/articles", limit=3)

    assert [i["slug"] for page in pages for i in page] == [a.slug for a in arts]
    assert len(pages) == 2
