"""Article drafts through /v1/manage/articles."""

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
    person_body,
    quote_body,
    tag_body,
)


def test_create_makes_a_draft(api: Api, client: TestClient) -> None:
    author = api.create("people", person_body())
    written = article_body(
        type="opinion",
        kicker="Op-ed",
        dek="One sentence.",
        author_ids=[author["id"]],
        author_note="The writer is a fellow.",
    )

    response = api.post("/articles", written)

    assert response.status_code == 201, response.text
    record = response.json()
    assert response.headers["etag"] == f'"article-{record["id"]}-v1"'
    assert {k: record[k] for k in written} == written
    assert record["status"] == "draft"
    assert record["published_at"] is None
    assert record["published_by"] is None
    assert record["published_revision"] is None
    assert record["has_unpublished_changes"] is False
    assert record["created_by"] == record["modified_by"] == EDITOR
    assert api.read("articles", record["id"]) == (record, response.headers["etag"])
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)


def test_every_missing_reference_is_named(api: Api) -> None:
    author = api.create("people", person_body())
    response = api.post(
        "/articles",
        article_body(
            author_ids=[author["id"], 90001],
            mentions=[{"person_id": 90002, "role": "President"}],
            tag_ids=[90003],
            lead_image={"image_id": 90004},
            body=[
                {"type": "paragraph", "html": "Text."},
                {"type": "image", "image_id": 90005},
                {"type": "quote", "quote_id": 90006},
            ],
        ),
    )

    assert sorted(map(str, error_locations(response))) == sorted(
        map(
            str,
            [
                ["body", "author_ids", 1],
                ["body", "mentions", 0, "person_id"],
                ["body", "tag_ids", 0],
                ["body", "lead_image", "image_id"],
                ["body", "body", 1, "image_id"],
                ["body", "body", 2, "quote_id"],
            ],
        )
    )
    for n in range(90001, 90007):
        assert str(n) in response.text
    assert api.get("/articles").json()["items"] == []


def test_a_patch_naming_a_missing_reference_changes_nothing(api: Api) -> None:
    record = api.create("articles", article_body())
    before = api.read("articles", record["id"])

    response = api.patch(f"/articles/{record['id']}", {"tag_ids": [777777]}, before[1])

    assert error_locations(response) == [["body", "tag_ids", 0]]
    assert api.read("articles", record["id"]) == before
    assert len(api.get(f"/articles/{record['id']}/revisions").json()["items"]) == 1


def test_references_to_existing_records_are_kept_in_order(api: Api) -> None:
    authors = [api.create("people", person_body())["id"] for _ in range(3)]
    tags = [api.create("tags", tag_body())["id"] for _ in range(2)]
    photo = api.create("images", image_body())
    speaker = api.create("people", person_body())
    said = api.create("quotes", quote_body(speaker["id"]))
    written = article_body(
        author_ids=authors[::-1],
        tag_ids=tags[::-1],
        mentions=[{"person_id": speaker["id"], "role": "Minister"}],
        lead_image={"image_id": photo["id"], "caption": "Override"},
        body=[
            {"type": "quote", "quote_id": said["id"]},
            {"type": "image", "image_id": photo["id"], "caption": None},
        ],
    )

    record = api.create("articles", written)

    assert record["author_ids"] == authors[::-1]
    assert record["tag_ids"] == tags[::-1]
    assert record["lead_image"] == {"image_id": photo["id"], "caption": "Override"}
    assert record["body"] == written["body"]
    assert record["mentions"] == written["mentions"]


def test_duplicate_slug_is_409(api: Api) -> None:
    first = api.create("articles", article_body(slug="the-ceasefire"))
    second = api.create("articles", article_body(slug="the-talks"))
    before = api.read("articles", second["id"])

    problem(api.post("/articles", article_body(slug="the-ceasefire")), 409)
    problem(api.patch(f"/articles/{second['id']}", {"slug": "the-ceasefire"}, before[1]), 409)

    assert api.read("articles", second["id"]) == before
    assert [a["id"] for a in api.get("/articles").json()["items"]] == [second["id"], first["id"]]


def test_delete_a_draft(api: Api) -> None:
    tag = api.create("tags", tag_body())
    record = api.create("articles", article_body(tag_ids=[tag["id"]]))

    api.remove("articles", record["id"])

    problem(api.get(f"/articles/{record['id']}"), 404)
    problem(api.get(f"/articles/{record['id']}/revisions"), 404)
    # Its links went with it: the tag is free.
    api.remove("tags", tag["id"])


def test_deleting_a_published_article_needs_the_publish_scope(
    api: Api, client: TestClient, session: Session
) -> None:
    record = api.create("articles", article_body())
    api.publish(record["id"])
    writer = Api(client, make_token(session, "content:write"))
    etag = api.etag("articles", record["id"])

    problem(writer.delete(f"/articles/{record['id']}", etag), 403)
    assert client.get(f"/v1/articles/{record['slug']}").status_code == 200
    assert api.etag("articles", record["id"]) == etag

    # A writer may still delete drafts.
    draft = writer.create("articles", article_body())
    writer.remove("articles", draft["id"])
    # And a writer who may publish may delete the published one.
    api.remove("articles", record["id"])
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)


def test_writers_cannot_publish(api: Api, client: TestClient, session: Session) -> None:
    writer = Api(client, make_token(session, "content:write"))
    record = writer.create("articles", article_body())

    problem(writer.act(record["id"], "publish"), 403)

    assert api.read("articles", record["id"])[0]["status"] == "draft"


def test_publishers_cannot_edit(api: Api, client: TestClient, session: Session) -> None:
    publisher = Api(client, make_token(session, "content:publish"))
    record = api.create("articles", article_body())

    problem(publisher.patch(f"/articles/{record['id']}", {"headline": "X"}, "*"), 403)
    assert publisher.publish(record["id"])["status"] == "published"


def test_list_shows_drafts_and_published_alike(api: Api) -> None:
    draft = api.create("articles", article_body())
    live = api.create("articles", article_body())
    api.publish(live["id"])

    listed = api.get("/articles").json()["items"]

    assert [(a["id"], a["status"]) for a in listed] == [
        (live["id"], "published"),
        (draft["id"], "draft"),
    ]
