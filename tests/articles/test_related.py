"""GET /v1/articles/{slug}/related: read-more articles sharing tags or mentioned people."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

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
