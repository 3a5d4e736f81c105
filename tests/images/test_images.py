"""GET /v1/images/{id}: credit, caption and who is pictured, once an article shows it."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.helpers import ok, problem


def test_image_with_credit_parts_and_people_pictured(client: TestClient, session: Session) -> None:
    left = factories.person(session, name="Helena Marsh")
    right = factories.person(session, name="Omar Said")
    photo = factories.image(
        session,
        url="https://images.example/summit.jpg",
        alt_text="Two ministers shake hands",
        caption="Helena Marsh (left) and Omar Said in Vienna, 2019.",
        credit_line="Ann Poe, Newswire, Government Pool Photo via AP",
        photographer="Ann Poe",
        provider="Newswire",
        distributor="AP",
        is_pool=True,
        is_file_photo=True,
        width=1600,
        height=900,
        taken_on="2019-06-03",
        location="Vienna, Austria",
        focal_point={"x": 0.25, "y": 0.4},
        depicted=[
            {"person_id": left.id, "frame_position": "left"},
            {"person_id": right.id, "frame_position": "right"},
        ],
    )
    factories.article(session, body=[{"type": "image", "image_id": photo.id}])

    response = client.get(f"/v1/images/{photo.id}")

    assert ok(response) == {
        "id": photo.id,
        "url": "https://images.example/summit.jpg",
        "alt_text": "Two ministers shake hands",
        "caption": "Helena Marsh (left) and Omar Said in Vienna, 2019.",
        "credit_line": "Ann Poe, Newswire, Government Pool Photo via AP",
        "photographer": "Ann Poe",
        "provider": "Newswire",
        "distributor": "AP",
        "is_pool": True,
        "is_file_photo": True,
        "is_handout": False,
        "screenshot_source": None,
        "usage_terms": None,
        "width": 1600,
        "height": 900,
        "taken_on": "2019-06-03",
        "location": "Vienna, Austria",
        "focal_point": {"x": 0.25, "y": 0.4},
        "file": None,
        "depicted": [
            {"person_id": left.id, "name": "Helena Marsh", "frame_position": "left"},
            {"person_id": right.id, "name": "Omar Said", "frame_position": "right"},
        ],
    }
    assert f"image:{photo.id}" in response.headers["surrogate-key"].split()


def test_screenshot_credit_keeps_its_usage_terms(client: TestClient, session: Session) -> None:
    credit = "Screenshot: X; used in accordance with Clause 27a of the Copyright Law"
    photo = factories.image(
        session,
        credit_line=credit,
        screenshot_source="X",
        usage_terms="used in accordance with Clause 27a of the Copyright Law",
    )
    factories.article(session, lead_image={"image_id": photo.id})

    image = ok(client.get(f"/v1/images/{photo.id}"))

    assert image["credit_line"] == credit
    assert image["screenshot_source"] == "X"
    assert image["usage_terms"] == "used in accordance with Clause 27a of the Copyright Law"


def test_image_is_visible_as_lead_body_or_headshot(client: TestClient, session: Session) -> None:
    lead = factories.image(session)
    inline = factories.image(session)
    headshot = factories.image(session)
    author = factories.person(session, headshot_image_id=headshot.id)
    factories.article(
        session,
        author_ids=[author.id],
        lead_image={"image_id": lead.id},
        body=[{"type": "image", "image_id": inline.id}],
    )

    for photo in (lead, inline, headshot):
        assert ok(client.get(f"/v1/images/{photo.id}"))["id"] == photo.id


def test_image_in_drafts_only_unused_or_unknown_is_404(
    client: TestClient, session: Session
) -> None:
    drafted = factories.image(session)
    unused = factories.image(session)
    factories.draft(session, lead_image={"image_id": drafted.id})
    assert unused.id is not None

    for image_id in (drafted.id, unused.id, unused.id + 1000):
        problem(client.get(f"/v1/images/{image_id}"), 404)


def test_image_in_a_scheduled_article_appears_on_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    photo = factories.image(session)
    publish_at = factories.hours_ahead(1)
    factories.scheduled(session, published_at=publish_at, lead_image={"image_id": photo.id})

    problem(client.get(f"/v1/images/{photo.id}"), 404)
    clock.pinned = publish_at + timedelta(seconds=1)
    assert ok(client.get(f"/v1/images/{photo.id}"))["id"] == photo.id
