"""GET /v1/articles/{slug}/related: read-more articles sharing tags or mentioned people."""

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.container import services_of
from app.documents.summaries import SummaryReader
from tests import factories
from tests.conftest import Clock
from tests.helpers import ok, problem, slugs


def test_related_are_ranked_by_how_much_they_share(client: TestClient, session: Session) -> None:
    t1, t2, t3 = (factories.tag(session) for _ in range(3))
    minister = factories.person(session)
    source = factories.article(
        session, tag_ids=[t1.id, t2.id, t3.id], mentions=[{"person_id": minister.id}]
    )
    one = factories.article(session, tag_ids=[t3.id], published_at=factories.hours_ago(0.5))
    three = factories.article(
        session,
        tag_ids=[t1.id, t2.id],
        mentions=[{"person_id": minister.id}],
        published_at=factories.hours_ago(9),
    )
    two = factories.article(session, tag_ids=[t1.id, t2.id], published_at=factories.hours_ago(5))
    person_only = factories.article(
        session, mentions=[{"person_id": minister.id}], published_at=factories.hours_ago(2)
    )
    factories.article(session, tag_ids=[factories.tag(session).id])

    related = client.get(f"/v1/articles/{source.slug}/related")

    # Equal scores: newest first.
    assert slugs(related) == [three.slug, two.slug, one.slug, person_only.slug]


def test_related_never_includes_itself_drafts_or_scheduled(
    client: TestClient, session: Session, clock: Clock
) -> None:
    topic = factories.tag(session)
    source = factories.article(session, tag_ids=[topic.id])
    sibling = factories.article(session, tag_ids=[topic.id])
    factories.draft(session, tag_ids=[topic.id], published_at=factories.hours_ago(1))
    future = factories.scheduled(session, hours=2, tag_ids=[topic.id])

    assert slugs(client.get(f"/v1/articles/{source.slug}/related")) == [sibling.slug]

    assert future.published_at is not None
    clock.pinned = future.published_at + timedelta(minutes=1)
    assert slugs(client.get(f"/v1/articles/{source.slug}/related")) == [future.slug, sibling.slug]


def test_related_has_the_list_envelope_and_a_limit(client: TestClient, session: Session) -> None:
    topic = factories.tag(session)
    source = factories.article(session, tag_ids=[topic.id])
    others = [
        factories.article(session, tag_ids=[topic.id], published_at=factories.hours_ago(h))
        for h in (2, 3, 4)
    ]

    default = ok(client.get(f"/v1/articles/{source.slug}/related"))
    limited = client.get(f"/v1/articles/{source.slug}/related", params={"limit": 2})

    assert [i["slug"] for i in default["items"]] == [a.slug for a in others]
    assert default["next_cursor"] is None
    assert slugs(limited) == [others[0].slug, others[1].slug]


def test_article_with_nothing_in_common_has_no_related(
    client: TestClient, session: Session
) -> None:
    source = factories.article(session, tag_ids=[factories.tag(session).id])
    factories.article(session, tag_ids=[factories.tag(session).id])

    assert slugs(client.get(f"/v1/articles/{source.slug}/related")) == []


def test_related_of_a_draft_scheduled_or_unknown_article_is_404(
    client: TestClient, session: Session
) -> None:
    topic = factories.tag(session)
    factories.article(session, tag_ids=[topic.id])
    draft = factories.draft(session, tag_ids=[topic.id], published_at=factories.hours_ago(1))
    future = factories.scheduled(session, tag_ids=[topic.id])

    for slug in (draft.slug, future.slug, "no-such-article"):
        problem(client.get(f"/v1/articles/{slug}/related"), 404)


def test_related_are_scored_among_the_newest_articles_of_each_shared_record(
    app: FastAPI, session: Session
) -> None:
    energy, trade = factories.tag(session), factories.tag(session)
    source = factories.article(
        session, tag_ids=[energy.id, trade.id], published_at=factories.hours_ago(20)
    )
    shares_both = factories.article(
        session, tag_ids=[energy.id, trade.id], published_at=factories.hours_ago(10)
    )
    newest = [
        factories.article(session, tag_ids=[tag.id], published_at=factories.hours_ago(hours))
        for tag, hours in ((energy, 1), (energy, 2), (trade, 3), (trade, 4))
    ]
    source_id = source.id
    assert source_id is not None
    driver = services_of(app).driver

    def related(candidates: int) -> list[int]:
        reader = SummaryReader(driver, related_candidates=candidates)
        rows = asyncio.run(reader.related(source_id, now=datetime.now(UTC), limit=5))
        return [row.article_id for row in rows]

    # Among every article of both tags, the one sharing both comes first...
    assert related(100) == [shares_both.id, *(a.id for a in newest)]
    # ...but it is not among the two newest of either tag, so a narrower reader never sees it.
    assert related(2) == [a.id for a in newest]
