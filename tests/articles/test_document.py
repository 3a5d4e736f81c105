"""GET /v1/articles/{slug}: the whole published page in one response."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.documents.store import refresh_articles
from app.models import Article
from app.models.enums import ArticleStatus
from tests import factories
from tests.conftest import Clock
from tests.helpers import ok, problem


def test_article_fields(client: TestClient, session: Session) -> None:
    corrected = factories.hours_ago(0.5)
    art = factories.article(
        session,
        slug="the-ceasefire-that-nobody-signed",
        headline="The ceasefire that nobody signed",
        dek="Both sides claim victory in a truce neither wrote down.",
        language="en-GB",
        author_note="The writer, a former member of parliament, is a senior fellow.",
        updated_at=corrected,
    )

    doc = ok(client.get(f"/v1/articles/{art.slug}"))

    assert doc["id"] == art.id
    assert doc["slug"] == "the-ceasefire-that-nobody-signed"
    assert doc["type"] == "news"
    assert doc["headline"] == "The ceasefire that nobody signed"
    assert doc["dek"] == "Both sides claim victory in a truce neither wrote down."
    assert doc["language"] == "en-GB"
    assert doc["author_note"] == "The writer, a former member of parliament, is a senior fellow."
    assert datetime.fromisoformat(doc["published_at"]) == art.published_at
    assert datetime.fromisoformat(doc["updated_at"]) == corrected
    assert doc["links"] == {
        "self": f"/v1/articles/{art.slug}",
        "related": f"/v1/articles/{art.slug}/related",
        "web": None,
        "canonical": None,
    }


@pytest.mark.parametrize(
    ("article_type", "kicker"),
    [("opinion", "Op-ed"), ("analysis", "Analysis"), ("news", None)],
)
def test_kicker_follows_from_type(
    client: TestClient, session: Session, article_type: str, kicker: str | None
) -> None:
    art = factories.article(session, type=article_type)

    assert ok(client.get(f"/v1/articles/{art.slug}"))["kicker"] == kicker


@pytest.mark.parametrize("article_type", ["opinion", "analysis", "news"])
def test_kicker_override_wins(client: TestClient, session: Session, article_type: str) -> None:
    art = factories.article(session, type=article_type, kicker="Exclusive")

    assert ok(client.get(f"/v1/articles/{art.slug}"))["kicker"] == "Exclusive"


def test_body_blocks_come_back_in_order_with_images_and_quotes_resolved(
    client: TestClient, session: Session
) -> None:
    minister = factories.person(session, name="Helena Marsh", description="Foreign Minister")
    photo = factories.image(session, caption="Helena Marsh (left) in Vienna.")
    reused = factories.image(session, caption="The image's own caption.")
    words = factories.quote(
        session,
        minister,
        text="We will not negotiate while the shelling continues.",
        kind="paraphrase",
        speaker_role="Foreign Minister",
        said_on="2026-10-04",
        place="Doha, Qatar",
        context="speaking at an international forum",
    )
    body: list[dict[str, Any]] = [
        {
            "type": "paragraph",
            "html": "Talks resumed in <em>Geneva</em> on <strong>Monday</strong>.",
        },
        {"type": "image", "image_id": photo.id, "caption": "Marsh, at left, in 2019."},
        {"type": "heading", "level": 3, "text": "What comes next"},
        {"type": "quote", "quote_id": words.id},
        {"type": "image", "image_id": reused.id},
        {"type": "pull_quote", "text": "Nobody signed.", "attribution": "A diplomat"},
        {"type": "embed", "url": "https://video.example/abc", "provider": "Video", "title": "Clip"},
    ]
    art = factories.article(session, body=body)

    blocks = ok(client.get(f"/v1/articles/{art.slug}"))["body"]

    assert [b["type"] for b in blocks] == [
        "paragraph", "image", "heading", "quote", "image", "pull_quote", "embed",
    ]  # fmt: skip
    assert blocks[0]["html"] == body[0]["html"]
    assert blocks[1]["caption"] == "Marsh, at left, in 2019."
    assert blocks[1]["image"]["id"] == photo.id
    assert blocks[1]["image"]["url"] == photo.url
    assert blocks[1]["image"]["caption"] == "Helena Marsh (left) in Vienna."
    assert blocks[2] == {"type": "heading", "level": 3, "text": "What comes next"}
    quote = blocks[3]["quote"]
    assert quote["id"] == words.id
    assert quote["text"] == "We will not negotiate while the shelling continues."
    assert quote["kind"] == "paraphrase"
    assert quote["speaker_role"] == "Foreign Minister"
    assert quote["said_on"] == "2026-10-04"
    assert quote["place"] == "Doha, Qatar"
    assert quote["context"] == "speaking at an international forum"
    assert quote["speaker"] == {
        "id": minister.id,
        "kind": "person",
        "name": "Helena Marsh",
        "description": "Foreign Minister",
    }
    assert blocks[4]["caption"] == "The image's own caption."
    assert blocks[4]["image"]["id"] == reused.id
    assert blocks[5] == {
        "type": "pull_quote",
        "text": "Nobody signed.",
        "attribution": "A diplomat",
    }
    assert blocks[6] == {
        "type": "embed",
        "url": "https://video.example/abc",
        "provider": "Video",
        "title": "Clip",
    }


def test_same_image_keeps_its_own_caption_elsewhere(client: TestClient, session: Session) -> None:
    photo = factories.image(session, caption="Original caption.")
    overriding = factories.article(
        session, body=[{"type": "image", "image_id": photo.id, "caption": "Override."}]
    )
    plain = factories.article(session, body=[{"type": "image", "image_id": photo.id}])

    first = ok(client.get(f"/v1/articles/{overriding.slug}"))["body"][0]
    second = ok(client.get(f"/v1/articles/{plain.slug}"))["body"][0]

    assert (first["caption"], second["caption"]) == ("Override.", "Original caption.")
    assert first["image"] == second["image"]


def test_lead_image_caption_override_and_fallback(client: TestClient, session: Session) -> None:
    photo = factories.image(session, caption="Own caption.", credit_line="AP/Jane Doe, Pool/File")
    overridden = factories.article(
        session, lead_image={"image_id": photo.id, "caption": "Lead override."}
    )
    plain = factories.article(session, lead_image={"image_id": photo.id})
    without = factories.article(session)

    lead = ok(client.get(f"/v1/articles/{overridden.slug}"))["lead_image"]
    assert lead["caption"] == "Lead override."
    assert lead["image"]["id"] == photo.id
    assert lead["image"]["credit_line"] == "AP/Jane Doe, Pool/File"
    assert ok(client.get(f"/v1/articles/{plain.slug}"))["lead_image"]["caption"] == "Own caption."
    assert ok(client.get(f"/v1/articles/{without.slug}"))["lead_image"] is None


def test_authors_in_byline_order_with_bio_line_affiliations_and_headshot(
    client: TestClient, session: Session
) -> None:
    council = factories.person(session, kind="organization", name="Example Council")
    headshot = factories.image(session, alt_text="Portrait of Ada Quill")
    affiliations: list[dict[str, Any]] = [
        {
            "role": "Executive Director",
            "organization": "ACME",
            "organization_full_name": "Association for Civic Mediation and Exchange",
        },
        {
            "role": "Senior non-resident fellow",
            "organization": "Example Council",
            "organization_id": council.id,
        },
        {"role": "member of Parliament", "is_current": False, "note": "Unity Party"},
    ]
    ada = factories.person(
        session,
        name="Ada Quill",
        sort_name="Quill, Ada",
        bio="Ada Quill writes about diplomacy.",
        headshot_image_id=headshot.id,
        links=[{"label": "Website", "url": "https://adaquill.example"}],
        affiliations=affiliations,
    )
    ben = factories.person(session, name="Ben Rowe")
    art = factories.article(session, author_ids=[ada.id, ben.id])

    authors = ok(client.get(f"/v1/articles/{art.slug}"))["authors"]

    assert [a["id"] for a in authors] == [ada.id, ben.id]
    first = authors[0]
    assert first["name"] == "Ada Quill"
    assert first["sort_name"] == "Quill, Ada"
    assert first["kind"] == "person"
    assert first["bio"] == "Ada Quill writes about diplomacy."
    assert first["bio_line"] == (
        "Executive Director, ACME (Association for Civic Mediation and Exchange); "
        "Senior non-resident fellow, Example Council; "
        "former member of Parliament (Unity Party)"
    )
    assert [a["role"] for a in first["affiliations"]] == [a["role"] for a in affiliations]
    assert first["affiliations"][1]["organization_id"] == council.id
    assert first["affiliations"][2]["is_current"] is False
    assert first["headshot"]["id"] == headshot.id
    assert first["headshot"]["alt_text"] == "Portrait of Ada Quill"
    assert first["links"] == [{"label": "Website", "url": "https://adaquill.example"}]
    assert authors[1]["name"] == "Ben Rowe"
    assert authors[1]["bio_line"] is None
    assert authors[1]["affiliations"] == []
    assert authors[1]["headshot"] is None


def test_people_mentioned_in_order_with_their_role_at_the_time(
    client: TestClient, session: Session
) -> None:
    kremlin = factories.person(session, kind="organization", name="The Kremlin")
    minister = factories.person(session, name="Helena Marsh", description="Diplomat")
    art = factories.article(
        session,
        mentions=[
            {"person_id": minister.id, "role": "Foreign Minister"},
            {"person_id": kremlin.id},
        ],
    )

    people = ok(client.get(f"/v1/articles/{art.slug}"))["people"]

    assert people == [
        {
            "person": {
                "id": minister.id,
                "kind": "person",
                "name": "Helena Marsh",
                "description": "Diplomat",
            },
            "role": "Foreign Minister",
        },
        {
            "person": {
                "id": kremlin.id,
                "kind": "organization",
                "name": "The Kremlin",
                "description": None,
            },
            "role": None,
        },
    ]


def test_tags_in_order(client: TestClient, session: Session) -> None:
    place = factories.tag(session, slug="vienna", name="Vienna", kind="place")
    topic = factories.tag(session, slug="diplomacy", name="Diplomacy", kind="topic")
    art = factories.article(session, tag_ids=[topic.id, place.id])

    tags = ok(client.get(f"/v1/articles/{art.slug}"))["tags"]

    assert tags == [
        {"id": topic.id, "slug": "diplomacy", "name": "Diplomacy", "kind": "topic"},
        {"id": place.id, "slug": "vienna", "name": "Vienna", "kind": "place"},
    ]


def test_surrogate_key_names_every_entity_inside(client: TestClient, session: Session) -> None:
    author = factories.person(session)
    mentioned = factories.person(session)
    speaker = factories.person(session)
    photo = factories.image(session)
    words = factories.quote(session, speaker)
    topic = factories.tag(session)
    art = factories.article(
        session,
        author_ids=[author.id],
        mentions=[{"person_id": mentioned.id}],
        tag_ids=[topic.id],
        body=[{"type": "image", "image_id": photo.id}, {"type": "quote", "quote_id": words.id}],
    )

    keys = set(client.get(f"/v1/articles/{art.slug}").headers["surrogate-key"].split())

    assert keys >= {
        f"article:{art.id}",
        f"person:{author.id}",
        f"person:{mentioned.id}",
        f"person:{speaker.id}",
        f"image:{photo.id}",
        f"quote:{words.id}",
        f"tag:{topic.id}",
    }


def test_drafts_archived_and_unknown_slugs_are_404(client: TestClient, session: Session) -> None:
    draft = factories.draft(session, published_at=factories.hours_ago(1))
    archived = factories.article(session, status="archived")

    for slug in (draft.slug, archived.slug, "no-such-article"):
        body = problem(client.get(f"/v1/articles/{slug}"), 404)
        assert slug in body["detail"]


def test_scheduled_article_is_404_until_its_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    publish_at = factories.hours_ahead(3)
    art = factories.scheduled(session, published_at=publish_at)

    problem(client.get(f"/v1/articles/{art.slug}"), 404)
    clock.pinned = publish_at - timedelta(seconds=1)
    problem(client.get(f"/v1/articles/{art.slug}"), 404)
    clock.pinned = publish_at
    assert ok(client.get(f"/v1/articles/{art.slug}"))["id"] == art.id


def test_article_moved_back_to_draft_disappears(client: TestClient, session: Session) -> None:
    art = factories.article(session)
    ok(client.get(f"/v1/articles/{art.slug}"))

    row = session.get(Article, art.id)
    assert row is not None
    row.status = ArticleStatus.draft
    session.add(row)
    assert row.id is not None
    refresh_articles(session, [row.id])
    session.commit()

    problem(client.get(f"/v1/articles/{art.slug}"), 404)
    assert ok(client.get("/v1/articles"))["items"] == []
