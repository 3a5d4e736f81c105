"""Tags through /v1/manage/tags."""

from tests.helpers import problem
from tests.manage.support import Api, article_body, error_locations, refused_delete, tag_body


def test_create_read_replace_patch(api: Api) -> None:
    record = api.create("tags", {"slug": "diplomacy", "name": "Diplomacy", "kind": "topic"})

    assert record["description"] is None
    assert api.read("tags", record["id"]) == (record, f'"tag-{record["id"]}-v1"')

    replaced = api.replace(
        "tags", record["id"], {"slug": "middle-east", "name": "Middle East", "kind": "place"}
    )
    patched = api.update("tags", record["id"], {"description": "The region."})

    assert (replaced["slug"], replaced["kind"], replaced["version"]) == ("middle-east", "place", 2)
    assert patched["description"] == "The region."
    assert patched["name"] == "Middle East"
    assert patched["version"] == 3


def test_duplicate_slug_is_409_on_create_and_on_change(api: Api) -> None:
    first = api.create("tags", tag_body(slug="elections"))
    second = api.create("tags", tag_body(slug="economy"))
    before = api.read("tags", second["id"])

    created = api.post("/tags", tag_body(slug="elections"))
    problem(created, 409)
    problem(api.put(f"/tags/{second['id']}", tag_body(slug="elections"), before[1]), 409)
    problem(api.patch(f"/tags/{second['id']}", {"slug": "elections"}, before[1]), 409)

    assert api.read("tags", second["id"]) == before
    assert [t["id"] for t in api.get("/tags").json()["items"]] == [second["id"], first["id"]]
    # Keeping its own slug is no conflict.
    assert api.update("tags", first["id"], {"name": "Votes"})["slug"] == "elections"


def test_invalid_slugs_are_422(api: Api) -> None:
    for slug in ("Elections", "two words", "a" * 121, "-leading", "trailing-", "double--dash", ""):
        assert error_locations(api.post("/tags", tag_body(slug=slug))) == [["body", "slug"]], slug
    assert api.create("tags", tag_body(slug="a" * 120))["slug"] == "a" * 120
    assert len(api.get("/tags").json()["items"]) == 1


def test_delete_unused_tag(api: Api) -> None:
    record = api.create("tags", tag_body())

    api.remove("tags", record["id"])

    problem(api.get(f"/tags/{record['id']}"), 404)


def test_delete_refused_while_an_article_is_filed_under_it(api: Api) -> None:
    drafted = api.create("tags", tag_body())
    published = api.create("tags", tag_body())
    draft = api.create("articles", article_body(tag_ids=[drafted["id"]]))
    live = api.create("articles", article_body(tag_ids=[published["id"]]))
    api.publish(live["id"])

    assert refused_delete(api, "tags", drafted["id"]) == [
        {"kind": "article", "id": draft["id"], "label": f"{draft['slug']} (draft)"}
    ]
    assert refused_delete(api, "tags", published["id"]) == [
        {"kind": "article", "id": live["id"], "label": f"{live['slug']} (published)"}
    ]
