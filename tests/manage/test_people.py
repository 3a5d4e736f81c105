"""People and organizations through /v1/manage/people."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_token
from tests.helpers import problem
from tests.manage.conftest import EDITOR
from tests.manage.support import (
    Api,
    article_body,
    error_locations,
    image_body,
    organization_body,
    person_body,
    quote_body,
    refused_delete,
)

AUTHOR: dict[str, Any] = {
    "kind": "person",
    "name": "Marit Solberg",
    "sort_name": "Solberg, Marit",
    "description": "Senior fellow",
    "bio": "Marit Solberg served two terms in parliament.",
    "links": [
        {"label": "Website", "url": "https://solberg.example.org"},
        {"label": "X", "url": "https://x.example.com/msolberg"},
    ],
    "affiliations": [
        {
            "role": "Executive Director",
            "organization": "ACME",
            "organization_full_name": "Association for Civic Mediation and Exchange",
            "is_current": True,
        },
        {"role": "member of Parliament", "is_current": False, "note": "Unity Party"},
    ],
}


def test_create_returns_the_record_with_its_audit_fields(api: Api, client: TestClient) -> None:
    response = api.post("/people", AUTHOR)

    assert response.status_code == 201, response.text
    record = response.json()
    assert record["id"] >= 1
    assert response.headers["etag"] == f'"person-{record["id"]}-v1"'
    assert response.headers["cache-control"] == "no-store"
    assert record["version"] == 1
    assert record["created_by"] == record["modified_by"] == EDITOR
    # Everything written comes back, with the defaults of what was not.
    defaults = {
        "organization": None,
        "organization_full_name": None,
        "organization_id": None,
        "is_current": True,
        "note": None,
    }
    assert record["affiliations"] == [{**defaults, **a} for a in AUTHOR["affiliations"]]
    assert {k: record[k] for k in AUTHOR if k != "affiliations"} == {
        k: v for k, v in AUTHOR.items() if k != "affiliations"
    }
    assert record["headshot_image_id"] is None

    read, etag = api.read("people", record["id"])
    assert read == record
    assert etag == response.headers["etag"]


def test_get_honours_if_none_match(api: Api, client: TestClient) -> None:
    record = api.create("people", person_body())
    etag = api.etag("people", record["id"])

    response = client.get(
        f"/v1/manage/people/{record['id']}", headers=api.headers(**{"If-None-Match": etag})
    )

    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_put_replaces_everything_and_names_the_editor(
    api: Api, client: TestClient, session: Session
) -> None:
    record = api.create("people", AUTHOR)
    night = Api(client, make_token(session, "content:write", name="night-desk"))
    replacement = {"kind": "person", "name": "Marit Solberg-Lie", "affiliations": []}

    response = night.put(f"/people/{record['id']}", replacement, api.etag("people", record["id"]))

    assert response.status_code == 200, response.text
    updated = response.json()
    assert response.headers["etag"] == f'"person-{record["id"]}-v2"'
    assert updated["version"] == 2
    assert updated["name"] == "Marit Solberg-Lie"
    # Omitted fields are gone, not kept: PUT is a replacement.
    assert updated["bio"] is None
    assert updated["sort_name"] is None
    assert updated["links"] == []
    assert updated["affiliations"] == []
    assert updated["created_by"] == EDITOR
    assert updated["modified_by"] == "night-desk"
    assert updated["created_at"] == record["created_at"]
    assert updated["modified_at"] > record["modified_at"]
    assert api.read("people", record["id"])[0] == updated


def test_patch_is_a_json_merge_patch(api: Api) -> None:
    record = api.create("people", AUTHOR)
    new_affiliation = {"role": "Fellow", "organization": "Example Council"}

    updated = api.update(
        "people",
        record["id"],
        {"description": "Former MP", "sort_name": None, "affiliations": [new_affiliation]},
    )

    assert updated["version"] == 2
    assert updated["description"] == "Former MP"
    assert updated["sort_name"] is None  # null removes the member
    assert updated["bio"] == AUTHOR["bio"]  # absent members are kept
    assert updated["links"] == AUTHOR["links"]
    # Arrays are replaced whole (RFC 7386 does not merge them).
    assert [a["role"] for a in updated["affiliations"]] == ["Fellow"]
    assert updated["affiliations"][0]["organization"] == "Example Council"


def test_a_write_that_changes_nothing_keeps_the_version(api: Api) -> None:
    record = api.create("people", AUTHOR)
    etag = api.etag("people", record["id"])

    path = f"/people/{record['id']}"
    same = api.put(path, AUTHOR, etag)
    patched = api.patch(path, {"name": AUTHOR["name"]}, etag)

    assert same.status_code == patched.status_code == 200
    assert same.headers["etag"] == patched.headers["etag"] == etag
    assert same.json()["version"] == patched.json()["version"] == 1


def test_writes_need_the_current_etag(api: Api) -> None:
    record = api.create("people", person_body(name="Before"))
    path = f"/people/{record['id']}"
    first = api.etag("people", record["id"])
    api.update("people", record["id"], {"name": "Second"})
    current = api.etag("people", record["id"])

    for response in (
        api.put(path, person_body(name="Lost"), None),
        api.patch(path, {"name": "Lost"}, None),
        api.delete(path, None),
    ):
        problem(response, 428)
    for stale in (first, f"W/{current}", '"person-999-v2"'):
        for response in (
            api.put(path, person_body(name="Lost"), stale),
            api.patch(path, {"name": "Lost"}, stale),
            api.delete(path, stale),
        ):
            problem(response, 412)
            assert response.headers["etag"] == current

    final, etag = api.read("people", record["id"])
    assert etag == current
    assert final["name"] == "Second"
    assert final["version"] == 2


def test_if_match_may_list_several_etags_or_a_star(api: Api) -> None:
    record = api.create("people", person_body())
    path = f"/people/{record['id']}"
    etag = api.etag("people", record["id"])

    listed = api.patch(path, {"name": "Listed"}, f'"person-{record["id"]}-v9", {etag}')
    star = api.patch(path, {"name": "Star"}, "*")

    assert listed.status_code == star.status_code == 200
    assert star.json()["version"] == 3


def test_unknown_ids_are_404(api: Api) -> None:
    for response in (
        api.get("/people/424242"),
        api.put("/people/424242", person_body(), "*"),
        api.patch("/people/424242", {"name": "X"}, "*"),
        api.delete("/people/424242", "*"),
    ):
        problem(response, 404)


def test_list_is_newest_first_and_pages(api: Api) -> None:
    made = [api.create("people", person_body())["id"] for _ in range(5)]

    first = api.get("/people", limit=2).json()
    second = api.get("/people", limit=2, cursor=first["next_cursor"]).json()
    third = api.get("/people", limit=2, cursor=second["next_cursor"]).json()

    seen = [p["id"] for page in (first, second, third) for p in page["items"]]
    assert seen == made[::-1]
    assert third["next_cursor"] is None
    assert first["items"][0] == api.read("people", made[-1])[0]


def test_affiliation_organization_must_be_an_organization(api: Api) -> None:
    org = api.create("people", organization_body(name="Example Council"))
    someone = api.create("people", person_body())

    good = api.create(
        "people",
        person_body(affiliations=[{"role": "Fellow", "organization_id": org["id"]}]),
    )
    wrong_kind = api.post(
        "/people", person_body(affiliations=[{"role": "Fellow", "organization_id": someone["id"]}])
    )
    missing = api.post(
        "/people", person_body(affiliations=[{"role": "Fellow", "organization_id": 99999}])
    )

    assert good["affiliations"][0]["organization_id"] == org["id"]
    assert error_locations(wrong_kind) == [["body", "affiliations", 0, "organization_id"]]
    assert wrong_kind.json()["errors"][0]["type"] == "reference_kind"
    assert error_locations(missing) == [["body", "affiliations", 0, "organization_id"]]
    assert missing.json()["errors"][0]["type"] == "reference_missing"


def test_missing_headshot_is_named(api: Api) -> None:
    response = api.post("/people", person_body(headshot_image_id=99999))

    assert error_locations(response) == [["body", "headshot_image_id"]]
    assert "99999" in response.json()["errors"][0]["message"]
    assert api.get("/people").json()["items"] == []


def test_delete_unused_person(api: Api) -> None:
    record = api.create("people", person_body())

    api.remove("people", record["id"])

    problem(api.get(f"/people/{record['id']}"), 404)
    assert api.get("/people").json()["items"] == []


def test_delete_refused_while_anything_uses_the_person(api: Api) -> None:
    author = api.create("people", person_body())
    mentioned = api.create("people", person_body())
    speaker = api.create("people", person_body())
    pictured = api.create("people", person_body())
    org = api.create("people", organization_body())
    member = api.create(
        "people", person_body(affiliations=[{"role": "Chair", "organization_id": org["id"]}])
    )
    draft = api.create("articles", article_body(author_ids=[author["id"]]))
    live = api.create("articles", article_body(mentions=[{"person_id": mentioned["id"]}]))
    api.publish(live["id"])
    said = api.create("quotes", quote_body(speaker["id"]))
    photo = api.create("images", image_body(depicted=[{"person_id": pictured["id"]}]))

    assert refused_delete(api, "people", author["id"]) == [
        {"kind": "article", "id": draft["id"], "label": f"{draft['slug']} (draft)"}
    ]
    assert refused_delete(api, "people", mentioned["id"]) == [
        {"kind": "article", "id": live["id"], "label": f"{live['slug']} (published)"}
    ]
    assert refused_delete(api, "people", speaker["id"]) == [
        {"kind": "quote", "id": said["id"], "label": "speaker"}
    ]
    assert refused_delete(api, "people", pictured["id"]) == [
        {"kind": "image", "id": photo["id"], "label": "pictured"}
    ]
    assert refused_delete(api, "people", org["id"]) == [
        {"kind": "person", "id": member["id"], "label": "affiliation"}
    ]

    # Once the user lets go, the delete goes through.
    api.update("quotes", said["id"], {"speaker_id": org["id"]})
    api.remove("people", speaker["id"])
    problem(api.get(f"/people/{speaker['id']}"), 404)


def test_a_written_bio_line_is_kept_apart_from_the_generated_one(api: Api) -> None:
    generated = "Executive Director, ACME (Association for Civic Mediation and Exchange); " + (
        "former member of Parliament (Unity Party)"
    )
    printed = "Executive Director of ACME; former member of Parliament"
    record = api.create("people", {**AUTHOR, "bio_line": printed})
    story = api.create("articles", article_body(author_ids=[record["id"]]))
    api.publish(story["id"])

    def shown() -> tuple[str, str]:
        card = api.client.get(f"/v1/people/{record['id']}").json()
        document = api.client.get(f"/v1/articles/{story['slug']}").json()
        return card["bio_line"], document["authors"][0]["bio_line"]

    assert record["bio_line"] == printed
    assert shown() == (printed, printed)

    # Null hands the line back to the affiliations; the record says nobody wrote one.
    cleared = api.update("people", record["id"], {"bio_line": None})
    assert cleared["bio_line"] is None
    assert shown() == (generated, generated)

    # A generated line is never written back by a read-modify-write.
    replaced = api.replace(
        "people", record["id"], {k: v for k, v in cleared.items() if k in AUTHOR or k == "bio_line"}
    )
    assert replaced["bio_line"] is None
    api.update("people", record["id"], {"affiliations": [{"role": "Columnist"}]})
    assert shown() == ("Columnist", "Columnist")
