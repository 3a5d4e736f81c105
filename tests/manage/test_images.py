"""Images through /v1/manage/images: metadata, credits, who is pictured."""

from tests.helpers import problem
from tests.manage.conftest import EDITOR
from tests.manage.support import (
    Api,
    article_body,
    error_locations,
    image_body,
    person_body,
    refused_delete,
)

CREDIT_PARTS = {
    "url": "https://images.example.org/2026/summit.jpg",
    "alt_text": "Three ministers at a lectern",
    "caption": "Foreign Minister Ann Poe (left) and President Roe (center) in Tavrin.",
    "credit_line": "Ann Poe, Newswire, Government Pool Photo via AP",
    "photographer": "Ann Poe",
    "provider": "Newswire",
    "distributor": "AP",
    "is_pool": True,
    "is_file_photo": True,
    "is_handout": False,
    "screenshot_source": None,
    "usage_terms": "Editorial use only",
    "width": 3000,
    "height": 2000,
    "taken_on": "2019-06-14",
    "location": "Tavrin, Kestria",
    "focal_point": {"x": 0.3, "y": 0.6},
}


def test_every_credit_part_and_depiction_round_trips(api: Api) -> None:
    left = api.create("people", person_body(name="Ann Poe"))
    center = api.create("people", person_body(name="John Roe"))
    depicted = [
        {"person_id": left["id"], "frame_position": "left"},
        {"person_id": center["id"], "frame_position": "center"},
    ]

    record = api.create("images", {**CREDIT_PARTS, "depicted": depicted})

    assert {k: record[k] for k in CREDIT_PARTS} == CREDIT_PARTS
    assert record["depicted"] == depicted
    assert record["file"] is None
    assert record["created_by"] == EDITOR
    assert api.read("images", record["id"]) == (record, f'"image-{record["id"]}-v1"')


def test_depicted_order_follows_the_write(api: Api) -> None:
    a = api.create("people", person_body())
    b = api.create("people", person_body())
    record = api.create("images", image_body(depicted=[{"person_id": a["id"]}]))

    updated = api.update(
        "images",
        record["id"],
        {"depicted": [{"person_id": b["id"], "frame_position": "right"}, {"person_id": a["id"]}]},
    )

    assert [d["person_id"] for d in updated["depicted"]] == [b["id"], a["id"]]
    assert updated["depicted"][0]["frame_position"] == "right"
    assert updated["version"] == 2


def test_missing_depicted_person_is_named(api: Api) -> None:
    real = api.create("people", person_body())

    response = api.post(
        "/images",
        image_body(depicted=[{"person_id": real["id"]}, {"person_id": 987654}]),
    )

    assert error_locations(response) == [["body", "depicted", 1, "person_id"]]
    assert api.get("/images").json()["items"] == []


def test_patch_replaces_only_what_it_names(api: Api) -> None:
    record = api.create("images", {**CREDIT_PARTS})

    updated = api.update("images", record["id"], {"caption": None, "is_handout": True})

    assert updated["caption"] is None
    assert updated["is_handout"] is True
    assert {k: updated[k] for k in CREDIT_PARTS if k not in {"caption", "is_handout"}} == {
        k: v for k, v in CREDIT_PARTS.items() if k not in {"caption", "is_handout"}
    }


def test_patch_producing_an_invalid_record_is_422_and_changes_nothing(api: Api) -> None:
    record = api.create("images", image_body())
    before = api.read("images", record["id"])

    response = api.patch(f"/images/{record['id']}", {"alt_text": None}, before[1])

    assert error_locations(response) == [["body", "alt_text"]]
    assert api.read("images", record["id"]) == before


def test_delete_unused_image(api: Api) -> None:
    record = api.create("images", image_body())

    api.remove("images", record["id"])

    problem(api.get(f"/images/{record['id']}"), 404)


def test_delete_refused_while_anything_shows_the_image(api: Api) -> None:
    headshot = api.create("images", image_body())
    lead = api.create("images", image_body())
    inline = api.create("images", image_body())
    author = api.create("people", person_body(headshot_image_id=headshot["id"]))
    live = api.create(
        "articles",
        article_body(
            lead_image={"image_id": lead["id"]},
            body=[{"type": "image", "image_id": inline["id"], "caption": "Here"}],
        ),
    )
    api.publish(live["id"])

    assert refused_delete(api, "images", headshot["id"]) == [
        {"kind": "person", "id": author["id"], "label": "headshot"}
    ]
    used = {"kind": "article", "id": live["id"], "label": f"{live['slug']} (published)"}
    assert refused_delete(api, "images", lead["id"]) == [used]
    assert refused_delete(api, "images", inline["id"]) == [used]


def test_delete_refused_while_only_the_published_revision_shows_it(api: Api) -> None:
    photo = api.create("images", image_body())
    live = api.create("articles", article_body(lead_image={"image_id": photo["id"]}))
    api.publish(live["id"])
    # The draft lets go of the image; readers still see it until the next publish.
    api.update("articles", live["id"], {"lead_image": None})

    assert refused_delete(api, "images", photo["id"]) == [
        {"kind": "article", "id": live["id"], "label": f"{live['slug']} (published)"}
    ]

    api.publish(live["id"])
    api.remove("images", photo["id"])
