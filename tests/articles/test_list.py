"""GET /v1/articles: newest first, filters, visibility and keyset pagination."""

import base64
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.helpers import items, ok, slugs, walk


def test_lists_published_articles_newest_first(client: TestClient, session: Session) -> None:
    middle = factories.article(session, published_at=factories.hours_ago(2))
    oldest = factories.article(session, published_at=factories.hours_ago(3))
    newest = factories.article(session, published_at=factories.hours_ago(1))

    assert slugs(client.get("/v1/articles")) == [newest.slug, middle.slug, oldest.slug]


def test_summary_carries_the_card_fields(client: TestClient, session: Session) -> None:
    first = factories.person(session, name="Ada Quill")
    second = factories.person(session, name="Ben Rowe")
    photo = factories.image(session, width=1200, height=800)
    art = factories.article(
        session,
        type="opinion",
        headline="Why the talks failed",
        dek="A one-sentence summary.",
        author_ids=[second.id, first.id],
        lead_image={"image_id": photo.id},
    )

    [card] = items(client.get("/v1/articles"))

    assert card["id"] == art.id
    assert card["slug"] == art.slug
    assert card["type"] == "opinion"
    assert card["kicker"] == "Op-ed"
    assert card["headline"] == "Why the talks failed"
    assert card["dek"] == "A one-sentence summary."
    assert datetime.fromisoformat(card["published_at"]) == art.published_at
    assert card["authors"] == [
        {"id": second.id, "name": "Ben Rowe"},
        {"id": first.id, "name": "Ada Quill"},
    ]
    assert card["lead_image"]["id"] == photo.id
    assert card["lead_image"]["url"] == photo.url
    assert card["lead_image"]["credit_line"] == photo.credit_line
    assert (card["lead_image"]["width"], card["lead_image"]["height"]) == (1200, 800)
    assert card["links"] == {
        "self": f"/v1/articles/{art.slug}",
        "related": f"/v1/articles/{art.slug}/related",
        "web": None,
        "canonical": None,
    }


def test_drafts_and_scheduled_articles_are_not_listed(client: TestClient, session: Session) -> None:
    visible = factories.article(session)
    factories.draft(session, published_at=factories.hours_ago(1))
    factories.scheduled(session)
    factories.article(session, status="archived")

    assert slugs(client.get("/v1/articles")) == [visible.slug]


def test_scheduled_article_is_listed_once_its_time_comes(
    client: TestClient, session: Session, clock: Clock
) -> None:
    now = factories.hours_ago(0)
    earlier = factories.article(session, published_at=now - timedelta(hours=1))
    later = factories.scheduled(session, published_at=now + timedelta(hours=2))

    clock.pinned = now + timedelta(hours=1)
    assert slugs(client.get("/v1/articles")) == [earlier.slug]
    clock.pinned = now + timedelta(hours=2)
    assert slugs(client.get("/v1/articles")) == [later.slug, earlier.slug]


def test_filter_by_author(client: TestClient, session: Session) -> None:
    ada = factories.person(session)
    ben = factories.person(session)
    solo = factories.article(session, author_ids=[ada.id], published_at=factories.hours_ago(3))
    joint = factories.article(
        session, author_ids=[ben.id, ada.id], published_at=factories.hours_ago(2)
    )
    factories.article(session, author_ids=[ben.id])
    factories.draft(session, author_ids=[ada.id], published_at=factories.hours_ago(1))
    factories.scheduled(session, author_ids=[ada.id])
    factories.article(session, mentions=[{"person_id": ada.id}])

    assert slugs(client.get("/v1/articles", params={"author": ada.id})) == [joint.slug, solo.slug]


def test_filter_by_person_mentioned(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    other = factories.person(session)
    first = factories.article(
        session, mentions=[{"person_id": minister.id}], published_at=factories.hours_ago(3)
    )
    second = factories.article(
        session,
        mentions=[{"person_id": other.id}, {"person_id": minister.id, "role": "President"}],
        published_at=factories.hours_ago(2),
    )
    factories.article(session, mentions=[{"person_id": other.id}])
    factories.article(session, author_ids=[minister.id])
    factories.draft(session, mentions=[{"person_id": minister.id}])

    response = client.get("/v1/articles", params={"person": minister.id})

    assert slugs(response) == [second.slug, first.slug]


def test_filter_by_tag_slug(client: TestClient, session: Session) -> None:
    diplomacy = factories.tag(session, slug="diplomacy")
    energy = factories.tag(session, slug="energy")
    both = factories.article(
        session, tag_ids=[energy.id, diplomacy.id], published_at=factories.hours_ago(1)
    )
    only = factories.article(session, tag_ids=[diplomacy.id], published_at=factories.hours_ago(2))
    factories.article(session, tag_ids=[energy.id])
    factories.scheduled(session, tag_ids=[diplomacy.id])

    assert slugs(client.get("/v1/articles", params={"tag": "diplomacy"})) == [both.slug, only.slug]
    assert items(client.get("/v1/articles", params={"tag": "no-such-tag"})) == []


def test_filter_by_type(client: TestClient, session: Session) -> None:
    opinion = factories.article(session, type="opinion")
    analysis = factories.article(session, type="analysis")
    news = factories.article(session, type="news")

    for art in (opinion, analysis, news):
        assert slugs(client.get("/v1/articles", params={"type": art.type})) == [art.slug]


def test_published_after_and_before_are_exclusive_bounds(
    client: TestClient, session: Session
) -> None:
    base = factories.hours_ago(10)
    arts = [factories.article(session, published_at=base + timedelta(hours=h)) for h in range(5)]
    lower, upper = arts[1].published_at, arts[3].published_at
    assert lower is not None
    assert upper is not None

    after = client.get("/v1/articles", params={"published_after": lower.isoformat()})
    before = client.get("/v1/articles", params={"published_before": upper.isoformat()})
    between = client.get(
        "/v1/articles",
        params={"published_after": lower.isoformat(), "published_before": upper.isoformat()},
    )

    assert slugs(after) == [arts[4].slug, arts[3].slug, arts[2].slug]
    assert slugs(before) == [arts[2].slug, arts[1].slug, arts[0].slug]
    assert slugs(between) == [arts[2].slug]


def test_date_bounds_honour_the_given_offset(client: TestClient, session: Session) -> None:
    early = factories.article(session, published_at=factories.hours_ago(5))
    late = factories.article(session, published_at=factories.hours_ago(1))
    instant = factories.hours_ago(3)

    # The same instant written with different offsets selects the same articles.
    for offset in (2, -5):
        bound = instant.astimezone(timezone(timedelta(hours=offset))).isoformat()
        after = client.get("/v1/articles", params={"published_after": bound})
        before = client.get("/v1/articles", params={"published_before": bound})
        assert slugs(after) == [late.slug]
        assert slugs(before) == [early.slug]


def test_filters_combine(client: TestClient, session: Session) -> None:
    ada = factories.person(session)
    minister = factories.person(session)
    diplomacy = factories.tag(session)
    match = factories.article(
        session,
        type="analysis",
        author_ids=[ada.id],
        mentions=[{"person_id": minister.id}],
        tag_ids=[diplomacy.id],
        published_at=factories.hours_ago(2),
    )
    near_misses: list[dict[str, Any]] = [
        {"type": "news"},
        {"author_ids": [minister.id]},
        {"mentions": []},
        {"tag_ids": []},
        {"published_at": factories.hours_ago(30)},
    ]
    for change in near_misses:
        factories.article(
            session,
            **{
                "type": "analysis",
                "author_ids": [ada.id],
                "mentions": [{"person_id": minister.id}],
                "tag_ids": [diplomacy.id],
                "published_at": factories.hours_ago(2),
                **change,
            },
        )

    response = client.get(
        "/v1/articles",
        params={
            "type": "analysis",
            "author": ada.id,
            "person": minister.id,
            "tag": diplomacy.slug,
            "published_after": factories.hours_ago(24).isoformat(),
            "published_before": factories.hours_ago(1).isoformat(),
        },
    )

    assert slugs(response) == [match.slug]


def test_list_names_its_articles_in_surrogate_key(client: TestClient, session: Session) -> None:
    first = factories.article(session)
    second = factories.article(session)

    keys = client.get("/v1/articles").headers["surrogate-key"].split()

    assert set(keys) == {"articles", f"article:{first.id}", f"article:{second.id}"}


# Pagination


def test_default_page_is_twenty_items(client: TestClient, session: Session) -> None:
    arts = [factories.article(session, published_at=factories.hours_ago(h)) for h in range(1, 22)]

    body = ok(client.get("/v1/articles"))

    assert [i["slug"] for i in body["items"]] == [a.slug for a in arts[:20]]
    assert body["next_cursor"] is not None


def test_limit_sets_the_page_size_up_to_one_hundred(client: TestClient, session: Session) -> None:
    for h in range(1, 6):
        factories.article(session, published_at=factories.hours_ago(h))

    assert len(items(client.get("/v1/articles", params={"limit": 2}))) == 2
    assert len(items(client.get("/v1/articles", params={"limit": 1}))) == 1
    assert len(items(client.get("/v1/articles", params={"limit": 100}))) == 5


def test_following_next_cursor_walks_every_article_once(
    client: TestClient, session: Session
) -> None:
    same_time = factories.hours_ago(5)
    arts = [factories.article(session, published_at=factories.hours_ago(h)) for h in (1, 2, 3)]
    # Ties on published_at must still page without loss or repeats.
    arts += [factories.article(session, published_at=same_time) for _ in range(4)]
    factories.draft(session)

    pages = walk(client, "/v1/articles", limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    seen = [item["slug"] for page in pages for item in page]
    assert sorted(seen) == sorted(a.slug for a in arts)
    assert len(set(seen)) == len(seen)


def test_link_header_points_to_the_next_page(client: TestClient, session: Session) -> None:
    tag = factories.tag(session)
    arts = [
        factories.article(session, tag_ids=[tag.id], published_at=factories.hours_ago(h))
        for h in (1, 2, 3)
    ]
    factories.article(session)

    seen: list[str] = []
    url = f"/v1/articles?tag={tag.slug}&limit=2"
    links = 0
    while url:
        response = client.get(url)
        body = ok(response)
        seen += [item["slug"] for item in body["items"]]
        link = response.headers.get("link")
        if body["next_cursor"] is None:
            assert link is None
            break
        links += 1
        assert link is not None
        assert link.endswith('>; rel="next"')
        url = link[1 : link.index(">")]
        query = parse_qs(urlsplit(url).query)
        assert query["cursor"] == [body["next_cursor"]]
        assert query["tag"] == [tag.slug]
        assert query["limit"] == ["2"]

    assert links == 1
    assert seen == [a.slug for a in arts]


def test_last_page_has_no_cursor_and_no_link(client: TestClient, session: Session) -> None:
    factories.article(session)

    response = client.get("/v1/articles", params={"limit": 1})

    assert ok(response)["next_cursor"] is None
    assert "link" not in response.headers


def test_inserts_while_paging_neither_skip_nor_repeat(client: TestClient, session: Session) -> None:
    existing = [
        factories.article(session, published_at=factories.hours_ago(h)) for h in range(1, 8)
    ]
    middle_time = factories.hours_ago(3.5)

    first = ok(client.get("/v1/articles", params={"limit": 3}))
    seen = [item["slug"] for item in first["items"]]
    cursor = first["next_cursor"]
    inserted = [
        factories.article(session, published_at=factories.hours_ago(0.1)),
        factories.article(session, published_at=middle_time),
        factories.article(session, published_at=factories.hours_ago(20)),
    ]
    while cursor is not None:
        page = ok(client.get("/v1/articles", params={"limit": 3, "cursor": cursor}))
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        factories.article(session, published_at=factories.hours_ago(0.05))

    assert len(seen) == len(set(seen))
    assert {a.slug for a in existing} <= set(seen)
    assert inserted[0].slug not in seen
    # Older inserts sit past the cursor, so the walk reaches them once.
    assert inserted[1].slug in seen
    assert inserted[2].slug in seen
    assert seen.index(inserted[1].slug) == seen.index(existing[2].slug) + 1


def _cursor(published_at: datetime, article_id: int) -> str:
    """A cursor in the format next_cursor has always had: unpadded base64 of a JSON pair."""
    raw = orjson.dumps([published_at.isoformat(), article_id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_cursor_written_with_any_offset_continues_from_the_same_instant(
    client: TestClient, session: Session
) -> None:
    arts = [factories.article(session, published_at=factories.hours_ago(h)) for h in (1, 2, 3)]
    first = arts[0]
    assert first.published_at is not None
    assert first.id is not None
    handed_out = ok(client.get("/v1/articles", params={"limit": 1}))["next_cursor"]

    for offset in (0, 5, -8):
        instant = first.published_at.astimezone(timezone(timedelta(hours=offset)))
        cursor = _cursor(instant, first.id)
        if offset == 0:
            assert cursor == handed_out
        page = client.get("/v1/articles", params={"cursor": cursor})
        assert slugs(page) == [arts[1].slug, arts[2].slug]


def test_a_cursor_from_the_future_never_shows_scheduled_articles(
    client: TestClient, session: Session
) -> None:
    tag = factories.tag(session)
    visible = factories.article(session, tag_ids=[tag.id])
    scheduled = factories.scheduled(session, hours=2, tag_ids=[tag.id])
    assert scheduled.id is not None
    cursor = _cursor(factories.hours_ahead(24), scheduled.id + 1)

    for params in ({}, {"tag": tag.slug}, {"type": "news"}):
        response = client.get("/v1/articles", params={**params, "cursor": cursor})
        assert slugs(response) == [visible.slug]


def test_combined_filters_page_without_loss_or_repeats(
    client: TestClient, session: Session
) -> None:
    ada = factories.person(session)
    topic = factories.tag(session)
    same_time = factories.hours_ago(4)
    matches = [
        factories.article(
            session, author_ids=[ada.id], tag_ids=[topic.id], published_at=factories.hours_ago(h)
        )
        for h in (1, 2, 3)
    ]
    matches += [
        factories.article(session, author_ids=[ada.id], tag_ids=[topic.id], published_at=same_time)
        for _ in range(3)
    ]
    factories.article(session, author_ids=[ada.id], published_at=factories.hours_ago(1.5))
    factories.article(session, tag_ids=[topic.id], published_at=factories.hours_ago(2.5))

    pages = walk(client, "/v1/articles", author=ada.id, tag=topic.slug, limit=2)

    seen = [item["slug"] for page in pages for item in page]
    assert seen[:3] == [a.slug for a in matches[:3]]
    assert sorted(seen) == sorted(a.slug for a in matches)
    assert len(set(seen)) == len(seen)
