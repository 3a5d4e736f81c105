"""Every write rejects what it must not take, and a rejected write changes nothing."""

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.types import TEXT_PATTERN
from tests.helpers import ok, problem
from tests.manage.support import (
    MANAGE,
    Api,
    Json,
    article_body,
    error_locations,
    image_body,
    openapi_document,
    person_body,
    quote_body,
    tag_body,
)

# Fields a client can read but never write, and one nobody defined.
READ_ONLY = {
    "id": 7,
    "version": 99,
    "created_at": "2020-01-01T00:00:00Z",
    "created_by": "mallory",
    "modified_at": "2020-01-01T00:00:00Z",
    "modified_by": "mallory",
    "status": "published",
    "published_at": "2020-01-01T00:00:00Z",
    "published_by": "mallory",
    "published_revision": 1,
    "has_unpublished_changes": False,
    # An image's file is written by uploading it, never in the record.
    "file": {"sha256": "0" * 64, "media_type": "image/jpeg"},
    "foo": "bar",
}


@pytest.fixture
def speaker(api: Api) -> int:
    """Someone for quotes to attribute words to."""
    ident: int = api.create("people", person_body(name="Speaker"))["id"]
    return ident


def valid_body(kind: str, speaker: int) -> Json:
    if kind == "quotes":
        return quote_body(speaker)
    maker = {
        "articles": article_body,
        "people": person_body,
        "images": image_body,
        "tags": tag_body,
    }[kind]
    return maker()


def snapshot(api: Api, kind: str) -> list[Json]:
    items: list[Json] = api.get(f"/{kind}", limit=100).json()["items"]
    return items


@pytest.mark.parametrize("kind", ["articles", "people", "images", "quotes", "tags"])
def test_read_only_and_unknown_fields_are_422_on_every_write(
    api: Api, speaker: int, kind: str
) -> None:
    record = api.create(kind, valid_body(kind, speaker))
    content = {k: v for k, v in record.items() if k not in READ_ONLY}
    path = f"/{kind}/{record['id']}"
    before = snapshot(api, kind)
    etag = api.etag(kind, record["id"])

    for field, value in READ_ONLY.items():
        for response in (
            api.post(f"/{kind}", {**valid_body(kind, speaker), field: value}),
            api.put(path, {**content, field: value}, etag),
            api.patch(path, {field: value}, etag),
            api.patch(path, {"foo": None, field: value}, etag),
        ):
            locations = error_locations(response)
            assert ["body", field] in locations, (field, response.text)

    assert api.read(kind, record["id"]) == (record, etag)
    assert snapshot(api, kind) == before


NESTED = [
    ("people", {"affiliations": [{"role": "Fellow", "foo": 1}]}, ["affiliations", 0, "foo"]),
    ("people", {"affiliations": [{"role": "Fellow", "id": 1}]}, ["affiliations", 0, "id"]),
    (
        "people",
        {"links": [{"label": "Site", "url": "https://a.example", "id": 3}]},
        ["links", 0, "id"],
    ),
    ("images", {"depicted": [{"person_id": 1, "foo": 1}]}, ["depicted", 0, "foo"]),
    ("articles", {"lead_image": {"image_id": 1, "foo": 1}}, ["lead_image", "foo"]),
    ("articles", {"mentions": [{"person_id": 1, "foo": 1}]}, ["mentions", 0, "foo"]),
    (
        "articles",
        {"body": [{"type": "paragraph", "html": "x", "foo": 1}]},
        ["body", 0, "paragraph", "foo"],
    ),
    (
        "articles",
        {"body": [{"type": "image", "image_id": 1, "id": 1}]},
        ["body", 0, "image", "id"],
    ),
]


@pytest.mark.parametrize(("kind", "extra", "location"), NESTED)
def test_unknown_fields_inside_nested_objects_are_422(
    api: Api, speaker: int, kind: str, extra: Json, location: list[Any]
) -> None:
    record = api.create(kind, valid_body(kind, speaker))
    before = snapshot(api, kind)
    etag = api.etag(kind, record["id"])
    path = f"/{kind}/{record['id']}"

    for response in (
        api.post(f"/{kind}", {**valid_body(kind, speaker), **extra}),
        api.put(path, {**valid_body(kind, speaker), **extra}, etag),
        api.patch(path, extra, etag),
    ):
        assert ["body", *location] in error_locations(response)
    assert snapshot(api, kind) == before
    assert api.etag(kind, record["id"]) == etag


def test_publish_options_reject_unknown_fields(api: Api) -> None:
    record = api.create("articles", article_body())

    response = api.act(record["id"], "publish", {"publish_at": None, "status": "published"})

    assert ["body", "status"] in error_locations(response)
    assert api.read("articles", record["id"])[0]["status"] == "draft"


def test_json_values_of_the_wrong_type_are_422_not_coerced(api: Api, speaker: int) -> None:
    """Lax parsing would store 0 as false, true as id 1, "12" as 12 and 0 as 1970-01-01."""
    image = api.create("images", image_body())["id"]
    tag = api.create("tags", tag_body())["id"]
    attempts = [
        ("people", person_body(affiliations=[{"role": "Fellow", "is_current": 0}])),
        ("people", person_body(headshot_image_id=str(image))),
        ("images", image_body(is_pool="yes")),
        ("images", image_body(width="800")),
        ("images", image_body(taken_on=0)),
        ("images", image_body(depicted=[{"person_id": True}])),
        ("quotes", quote_body(speaker, said_on=86_400)),
        ("quotes", quote_body(str(speaker))),  # type: ignore[arg-type]
        ("articles", article_body(author_ids=[True])),
        ("articles", article_body(tag_ids=[str(tag)])),
        ("articles", article_body(updated_at=1_767_225_600)),
        ("articles", article_body(lead_image={"image_id": str(image)})),
        ("articles", article_body(body=[{"type": "image", "image_id": str(image)}])),
    ]
    expected = [
        ["body", "affiliations", 0, "is_current"],
        ["body", "headshot_image_id"],
        ["body", "is_pool"],
        ["body", "width"],
        ["body", "taken_on"],
        ["body", "depicted", 0, "person_id"],
        ["body", "said_on"],
        ["body", "speaker_id"],
        ["body", "author_ids", 0],
        ["body", "tag_ids", 0],
        ["body", "updated_at"],
        ["body", "lead_image", "image_id"],
        ["body", "body", 0, "image", "image_id"],
    ]
    before = {kind: snapshot(api, kind) for kind in ("people", "images", "quotes", "articles")}

    located = [error_locations(api.post(f"/{kind}", body)) for kind, body in attempts]

    assert located == [[location] for location in expected]
    assert {kind: snapshot(api, kind) for kind in before} == before


@pytest.mark.parametrize(
    "slug", ["Upper-Case", "with space", "a" * 121, "ünïcode", "under_score", "-x", "x-", "a--b"]
)
def test_invalid_article_slugs_are_422(api: Api, slug: str) -> None:
    record = api.create("articles", article_body())
    before = api.read("articles", record["id"])

    created = api.post("/articles", article_body(slug=slug))
    patched = api.patch(f"/articles/{record['id']}", {"slug": slug}, before[1])

    assert error_locations(created) == [["body", "slug"]]
    assert error_locations(patched) == [["body", "slug"]]
    assert api.read("articles", record["id"]) == before
    assert len(snapshot(api, "articles")) == 1


def test_longest_slug_is_fine(api: Api) -> None:
    assert api.create("articles", article_body(slug="a" * 120))["slug"] == "a" * 120


DIRTY = (
    'Talks <script>alert("x")</script>resumed in '
    '<a href="https://example.org/talks" onclick="steal()" target="_blank">Geneva</a> '
    '<img src="x" onerror="steal()">on <em>Monday</em> and <strong>Tuesday</strong>, '
    '<a href="javascript:steal()">said</a> <span style="color:red">officials</span>.'
)


def test_inline_html_is_sanitized_and_stays_clean(api: Api, client: TestClient) -> None:
    record = api.create("articles", article_body(body=[{"type": "paragraph", "html": DIRTY}]))
    clean = record["body"][0]["html"]

    for forbidden in (
        "<script",
        "alert",
        "onclick",
        "onerror",
        "<img",
        "javascript:",
        "<span",
        "style=",
    ):
        assert forbidden not in clean, forbidden
    for kept in ('href="https://example.org/talks"', "<em>Monday</em>", "<strong>Tuesday</strong>"):
        assert kept in clean, kept
    assert "Geneva" in clean
    assert "officials" in clean

    # Cleaning the cleaned text again changes nothing: writing it back is not even a change.
    again = api.replace(
        "articles",
        record["id"],
        {**article_body(slug=record["slug"], headline=record["headline"]), "body": record["body"]},
    )
    assert again["body"] == record["body"]
    assert again["version"] == record["version"]
    second = api.create("articles", article_body(body=[{"type": "paragraph", "html": clean}]))
    assert second["body"][0]["html"] == clean

    api.publish(record["id"])
    assert ok(client.get(f"/v1/articles/{record['slug']}"))["body"][0]["html"] == clean


BAD_URLS = [
    "javascript:alert(1)",
    "data:text/html,hi",
    "ftp://files.example.org/a",
    "//example.org/x",
    "example.org",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_urls_must_be_http_or_https(api: Api, url: str) -> None:
    speaker = api.create("people", person_body())
    attempts = [
        ("images", image_body(url=url), ["body", "url"]),
        ("people", person_body(links=[{"label": "Site", "url": url}]), ["body", "links", 0, "url"]),
        ("quotes", quote_body(speaker["id"], source_url=url), ["body", "source_url"]),
        (
            "articles",
            article_body(body=[{"type": "embed", "url": url}]),
            ["body", "body", 0, "embed", "url"],
        ),
    ]
    for kind, body, location in attempts:
        assert error_locations(api.post(f"/{kind}", body)) == [location], kind

    assert snapshot(api, "images") == []
    assert snapshot(api, "quotes") == []
    assert snapshot(api, "articles") == []
    assert [p["id"] for p in snapshot(api, "people")] == [speaker["id"]]


def test_bounded_strings_and_lists(api: Api) -> None:
    authors = [api.create("people", person_body())["id"] for _ in range(21)]

    long_headline = api.post("/articles", article_body(headline="x" * 501))
    too_many_authors = api.post("/articles", article_body(author_ids=authors))
    long_name = api.post("/tags", tag_body(name="x" * 201))

    assert error_locations(long_headline) == [["body", "headline"]]
    assert error_locations(too_many_authors) == [["body", "author_ids"]]
    assert error_locations(long_name) == [["body", "name"]]
    assert snapshot(api, "articles") == []
    assert (
        api.create("articles", article_body(author_ids=authors[:20]))["author_ids"] == authors[:20]
    )


MIB = 1024 * 1024


def test_bodies_over_one_mebibyte_are_413(api: Api) -> None:
    record = api.create("articles", article_body())
    before = api.read("articles", record["id"])
    huge = "x" * MIB

    responses = [
        api.post("/articles", article_body(body=[{"type": "paragraph", "html": huge}])),
        api.put(f"/articles/{record['id']}", article_body(headline=huge), before[1]),
        api.patch(f"/articles/{record['id']}", {"author_note": huge}, before[1]),
    ]

    for response in responses:
        assert problem(response, 413)["type"] == "urn:byline:problem:payload-too-large"
    assert api.read("articles", record["id"]) == before
    assert [a["id"] for a in snapshot(api, "articles")] == [record["id"]]


def test_streamed_bodies_over_one_mebibyte_are_413(api: Api, client: TestClient) -> None:
    """Without a Content-Length the limit is counted as the body arrives."""
    record = api.create("articles", article_body())
    path = f"{MANAGE}/articles/{record['id']}"

    def stream(headline: bytes, etag: str) -> httpx.Response:
        response: httpx.Response = client.patch(
            path,
            content=iter([b'{"headline": "', headline, b'"}']),
            headers=api.headers(
                **{"If-Match": etag, "Content-Type": "application/merge-patch+json"}
            ),
        )
        return response

    # A small streamed body goes through, so the test below is about size alone.
    assert stream(b"Streamed", api.etag("articles", record["id"])).status_code == 200
    before = api.read("articles", record["id"])

    problem(stream(b"x" * MIB, before[1]), 413)

    assert api.read("articles", record["id"]) == before


def test_a_body_just_under_the_limit_is_read(api: Api) -> None:
    # 413 is about size only: a big but valid-size body reaches validation.
    response = api.post("/articles", article_body(headline="x" * (MIB - 1000)))

    assert error_locations(response) == [["body", "headline"]]


def _create_schemas() -> dict[str, tuple[str, Json]]:
    """Each kind's write schema name and the OpenAPI components, from the app's document."""
    document = openapi_document()
    result = {}
    for kind in ("articles", "people", "images", "quotes", "tags"):
        body = document["paths"][f"{MANAGE}/{kind}"]["post"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        result[kind] = (ref.rsplit("/", 1)[1], document["components"]["schemas"])
    return result


def _string_bounds(
    schema: Json, components: Json, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], int]]:
    """(path, maxLength) of every free-text string in a schema, nested objects included."""

    def resolve(node: Json) -> Json:
        if "$ref" in node:
            resolved: Json = components[node["$ref"].rsplit("/", 1)[1]]
            return resolved
        options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
        return resolve(options[0]) if len(options) == 1 else node

    found: list[tuple[tuple[str, ...], int]] = []
    for name, prop in resolve(schema).get("properties", {}).items():
        node = resolve(prop)
        free_text = node.get("pattern", TEXT_PATTERN) == TEXT_PATTERN and "format" not in node
        is_url = node.get("format") == "uri"
        if node.get("type") == "string" and "maxLength" in node and (free_text or is_url):
            if "enum" not in node:
                found.append(((*prefix, name), node["maxLength"]))
        elif node.get("type") == "object" or "properties" in node:
            found += _string_bounds(node, components, (*prefix, name))
        elif node.get("type") == "array" and "items" in node:
            item = resolve(node["items"])
            if "properties" in item:
                found += _string_bounds(item, components, (*prefix, name, "0"))
    return found


SCHEMAS = _create_schemas()
BOUNDS = [
    (kind, path, limit)
    for kind, (name, components) in SCHEMAS.items()
    for path, limit in _string_bounds(components[name], components)
]


@pytest.mark.parametrize(
    ("kind", "path", "limit"), BOUNDS, ids=[f"{k}.{'.'.join(p)}" for k, p, _ in BOUNDS]
)
def test_documented_maximum_lengths_are_accepted(
    api: Api, speaker: int, kind: str, path: tuple[str, ...], limit: int
) -> None:
    """A string exactly as long as the OpenAPI allows is stored, not a 500 from the database."""
    person = speaker
    image = api.create("images", image_body())["id"]
    parents: dict[str, Any] = {
        "affiliations": {"role": "Fellow"},
        "links": {"label": "Site", "url": "https://example.org"},
        "depicted": {"person_id": person},
        "mentions": {"person_id": person},
        "lead_image": {"image_id": image},
        "corrections": {"kind": "correction", "noted_at": "2026-11-18T06:00:00Z"},
    }
    value = "x" * limit
    if "url" in path[-1]:
        value = "https://example.org/" + "a" * (limit - len("https://example.org/"))
    body = valid_body(kind, speaker)
    if len(path) == 1:
        body[path[0]] = value
    else:
        item = {**parents[path[0]], path[-1]: value}
        body[path[0]] = [item] if path[1] == "0" else item

    response = api.post(f"/{kind}", body)

    assert response.status_code == 201, response.text
    stored = response.json()
    for step in path:
        stored = stored[int(step)] if step.isdigit() else stored[step]
    assert stored == value
    assert api.read(kind, response.json()["id"])[0] == response.json()
