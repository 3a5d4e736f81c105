"""Revisions of articles, restoring them, and who did what."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_token
from tests.helpers import ok, problem
from tests.manage.support import Api, Json, article_body, person_body, tag_body


@pytest.fixture
def writer(client: TestClient, session: Session) -> Api:
    return Api(client, make_token(session, "content:write", name="reporter"))


@pytest.fixture
def publisher(client: TestClient, session: Session) -> Api:
    return Api(client, make_token(session, "content:publish", name="duty-editor"))


def revisions(api: Api, ident: int) -> list[Json]:
    body = ok(api.get(f"/articles/{ident}/revisions", limit=100))
    assert body["next_cursor"] is None
    items: list[Json] = body["items"]
    return items


EDITABLE = (
    "slug",
    "type",
    "headline",
    "dek",
    "language",
    "kicker",
    "body",
    "author_note",
    "author_ids",
    "lead_image",
    "mentions",
    "tag_ids",
    "seo_headline",
    "seo_description",
    "social_headline",
    "social_description",
    "social_image_id",
    "canonical_url",
    "corrections",
    "updated_at",
)


def content_of(record: Json) -> Json:
    """The editable part of a record: what a revision keeps."""
    return {k: record[k] for k in EDITABLE}


def test_every_save_and_publish_is_a_revision(writer: Api, publisher: Api) -> None:
    created = writer.create("articles", article_body(headline="First"))
    ident = created["id"]
    edited = writer.update("articles", ident, {"headline": "Second", "dek": "A dek."})
    published = publisher.publish(ident)
    publisher.act(ident, "unpublish")
    publisher.act(ident, "archive")

    listed = revisions(writer, ident)

    assert [(r["number"], r["action"], r["created_by"]) for r in listed] == [
        (5, "archived", "duty-editor"),
        (4, "unpublished", "duty-editor"),
        (3, "published", "duty-editor"),
        (2, "updated", "reporter"),
        (1, "created", "reporter"),
    ]
    assert listed[3]["changed_fields"] == ["dek", "headline"]
    assert {"slug", "headline", "type", "body"} <= set(listed[4]["changed_fields"])
    assert listed[2]["changed_fields"] == []
    times = [r["created_at"] for r in listed]
    assert times == sorted(times, reverse=True)
    assert published["published_revision"] == 3
    assert ok(writer.get(f"/articles/{ident}/revisions/1"))["content"] == content_of(created)
    assert ok(writer.get(f"/articles/{ident}/revisions/2"))["content"] == content_of(edited)
    one = ok(writer.get(f"/articles/{ident}/revisions/2"))
    assert {k: one[k] for k in listed[3]} == listed[3]


def test_a_save_that_changes_nothing_adds_no_revision(writer: Api) -> None:
    created = writer.create("articles", article_body())

    same = writer.replace("articles", created["id"], content_of(created))

    assert same["version"] == 1
    assert [r["number"] for r in revisions(writer, created["id"])] == [1]


def test_revisions_are_immutable_and_page(writer: Api) -> None:
    created = writer.create("articles", article_body(headline="v1"))
    for n in range(2, 8):
        writer.update("articles", created["id"], {"headline": f"v{n}"})

    first = ok(writer.get(f"/articles/{created['id']}/revisions", limit=3))
    second = ok(
        writer.get(f"/articles/{created['id']}/revisions", limit=3, cursor=first["next_cursor"])
    )
    third = ok(
        writer.get(f"/articles/{created['id']}/revisions", limit=3, cursor=second["next_cursor"])
    )

    numbers = [r["number"] for page in (first, second, third) for r in page["items"]]
    assert numbers == [7, 6, 5, 4, 3, 2, 1]
    assert third["next_cursor"] is None
    for n in range(1, 8):
        revision = ok(writer.get(f"/articles/{created['id']}/revisions/{n}"))
        assert revision["content"]["headline"] == f"v{n}"


def test_restore_makes_an_old_revision_the_draft(
    writer: Api, publisher: Api, client: TestClient
) -> None:
    tag = writer.create("tags", tag_body())
    created = writer.create("articles", article_body(headline="Original", tag_ids=[tag["id"]]))
    ident = created["id"]
    publisher.publish(ident)
    public = client.get(f"/v1/articles/{created['slug']}")
    writer.update("articles", ident, {"headline": "Rewrite", "tag_ids": []})
    etag = writer.etag("articles", ident)

    response = writer.client.post(
        f"/v1/manage/articles/{ident}/revisions/1/restore",
        headers=writer.headers(**{"If-Match": etag}),
    )

    restored = ok(response)
    assert response.headers["etag"] != etag
    assert restored["version"] == writer.read("articles", ident)[0]["version"]
    assert content_of(restored) == content_of(created)
    assert restored["modified_by"] == "reporter"
    latest = revisions(writer, ident)[0]
    assert (latest["number"], latest["action"], latest["created_by"]) == (4, "restored", "reporter")
    assert latest["changed_fields"] == ["headline", "tag_ids"]
    # The published page did not move: a restore is a draft change.
    assert client.get(f"/v1/articles/{created['slug']}").content == public.content
    assert restored["has_unpublished_changes"] is False


def test_restore_needs_if_match_and_an_existing_revision(writer: Api) -> None:
    created = writer.create("articles", article_body(headline="One"))
    ident = created["id"]
    stale = writer.etag("articles", ident)
    writer.update("articles", ident, {"headline": "Two"})
    path = f"/v1/manage/articles/{ident}/revisions/1/restore"

    problem(writer.client.post(path, headers=writer.headers()), 428)
    problem(writer.client.post(path, headers=writer.headers(**{"If-Match": stale})), 412)
    current = writer.etag("articles", ident)
    problem(
        writer.client.post(
            f"/v1/manage/articles/{ident}/revisions/9/restore",
            headers=writer.headers(**{"If-Match": current}),
        ),
        404,
    )
    problem(writer.get(f"/articles/{ident}/revisions/9"), 404)

    assert writer.read("articles", ident)[0]["headline"] == "Two"
    assert len(revisions(writer, ident)) == 2


def test_restoring_a_revision_that_names_a_deleted_record_is_422(writer: Api) -> None:
    tag = writer.create("tags", tag_body())
    created = writer.create("articles", article_body(tag_ids=[tag["id"]]))
    writer.update("articles", created["id"], {"tag_ids": []})
    writer.remove("tags", tag["id"])
    before = writer.read("articles", created["id"])

    response = writer.client.post(
        f"/v1/manage/articles/{created['id']}/revisions/1/restore",
        headers=writer.headers(**{"If-Match": before[1]}),
    )

    assert problem(response, 422)["errors"][0]["location"] == ["body", "tag_ids", 0]
    assert writer.read("articles", created["id"]) == before


def test_audit_fields_name_the_tokens(
    writer: Api, publisher: Api, client: TestClient, session: Session
) -> None:
    other = Api(client, make_token(session, "content:write", name="copy-desk"))
    created = writer.create("articles", article_body())
    other.update("articles", created["id"], {"dek": "Tightened."})

    published = publisher.publish(created["id"])

    assert published["created_by"] == "reporter"
    assert published["published_by"] == "duty-editor"
    assert published["modified_by"] == "duty-editor"
    assert published["created_at"] == created["created_at"]
    assert published["modified_at"] >= published["created_at"]
    assert [r["created_by"] for r in revisions(writer, created["id"])] == [
        "duty-editor",
        "copy-desk",
        "reporter",
    ]
    for kind, body in (("tags", tag_body()), ("people", person_body())):
        record = writer.create(kind, body)
        changed = other.update(kind, record["id"], {"name": "Renamed"})
        assert (changed["created_by"], changed["modified_by"]) == ("reporter", "copy-desk")
        assert other.read(kind, record["id"])[0] == changed
