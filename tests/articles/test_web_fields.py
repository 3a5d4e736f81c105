"""An article's web fields: search and social text and image, its page on the site and
canonical URL, corrections and updates; written through the management API and read
back in the public document and the list summary."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.config import Settings, setting_errors
from app.container import Services
from app.documents.web import WebLinks
from tests.factories import make_token
from tests.helpers import items, ok
from tests.images import files
from tests.manage.support import (
    Api,
    Json,
    article_body,
    error_locations,
    image_body,
    refused_delete,
    tag_body,
)

TEMPLATE = "https://www.example.com/{section}/{year}/{month}/{day}/{slug}-{id}.{type}"
PUBLISHED = "2026-11-18T06:00:00Z"


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    return Api(client, make_token(session, "content:write", "content:publish"))


@pytest.fixture
def site(replace_services: Callable[..., Services]) -> None:
    """The app renders documents with TEMPLATE as the site's article pages."""
    replace_services(web_links=WebLinks(TEMPLATE))


def published(api: Api, client: TestClient, body: Json) -> tuple[Json, Json, Json]:
    """Create and publish; return the management record, the document and the summary."""
    ident = api.create("articles", body)["id"]
    api.publish(ident, PUBLISHED)
    document = ok(client.get(f"/v1/articles/{body['slug']}"))
    (summary,) = [s for s in items(client.get("/v1/articles")) if s["id"] == ident]
    return api.read("articles", ident)[0], document, summary


def with_file(api: Api, **fields: Any) -> int:
    ident: int = api.create("images", image_body(**fields))["id"]
    response = api.request(
        "PUT",
        f"/images/{ident}/file",
        files={"file": ("card.jpg", files.jpeg(1200, 800), "image/jpeg")},
        headers=api.headers(**{"If-Match": api.etag("images", ident)}),
    )
    assert response.status_code == 200, response.text
    return ident


def test_every_web_field_round_trips(api: Api, client: TestClient, site: None) -> None:
    section = api.create("tags", tag_body(kind="section", slug="opinion"))["id"]
    topic = api.create("tags", tag_body(kind="topic"))["id"]
    lead = api.create("images", image_body())["id"]
    card = with_file(api, alt_text="The negotiating table, empty")
    written = article_body(
        type="analysis",
        dek="The dek, which the fields below replace.",
        tag_ids=[topic, section],
        lead_image={"image_id": lead},
        seo_headline="Ceasefire in Kestria: why nobody signed",
        seo_description="Both sides claim victory in a truce neither wrote down.",
        social_headline="The ceasefire nobody signed",
        social_description="Read why neither side would put it in writing.",
        social_image_id=card,
        canonical_url="https://www.partner.example/2026/11/18/the-ceasefire",
        corrections=[
            {
                "kind": "correction",
                "text": "An earlier version misstated the <em>date</em> of the summit.",
                "noted_at": "2026-11-19T08:00:00Z",
            },
            {
                "kind": "update",
                "text": "This article was updated with the office's statement.",
                "noted_at": "2026-11-20T09:30:00Z",
            },
        ],
    )

    record, document, summary = published(api, client, written)

    fields = [k for k in written if k not in {"body", "lead_image"}]
    assert {k: record[k] for k in fields} == {k: written[k] for k in fields}
    assert record["updated_at"] == "2026-11-20T09:30:00Z"
    seo = {"headline": written["seo_headline"], "description": written["seo_description"]}
    page = f"https://www.example.com/opinion/2026/11/18/{written['slug']}-{record['id']}.analysis"
    links = {
        "self": f"/v1/articles/{written['slug']}",
        "related": f"/v1/articles/{written['slug']}/related",
        "web": page,
        "canonical": written["canonical_url"],
    }
    for shown in (document, summary):
        assert shown["seo"] == seo
        assert shown["links"] == links
        assert shown["updated_at"] == "2026-11-20T09:30:00Z"
        assert shown["published_at"] == PUBLISHED
    assert document["corrections"] == written["corrections"]
    social = document["social"]
    assert social["headline"] == written["social_headline"]
    assert social["description"] == written["social_description"]
    assert social["image"]["id"] == card
    assert social["image"]["alt_text"] == "The negotiating table, empty"
    crops = [r["crop"] for r in social["image"]["file"]["renditions"]]
    assert "1.91x1" in crops
    assert document["lead_image"]["image"]["id"] == lead


def test_fields_left_out_fall_back_to_headline_dek_and_lead_image(
    api: Api, client: TestClient
) -> None:
    lead = with_file(api)
    written = article_body(dek="What the dek says.", lead_image={"image_id": lead})

    record, document, summary = published(api, client, written)

    expected_seo = {"headline": written["headline"], "description": "What the dek says."}
    assert document["seo"] == summary["seo"] == expected_seo
    assert document["social"] == {
        "headline": written["headline"],
        "description": "What the dek says.",
        "image": document["lead_image"]["image"],
    }
    assert document["social"]["image"]["file"] is not None
    # No WEB_URL_TEMPLATE and no canonical URL: no page to link to.
    assert document["links"]["web"] is document["links"]["canonical"] is None
    assert summary["links"] == document["links"]
    assert document["corrections"] == []
    assert document["updated_at"] is None
    for name in ("seo_headline", "social_image_id", "canonical_url"):
        assert record[name] is None


def test_an_article_without_dek_or_lead_image_has_no_description_or_card_image(
    api: Api, client: TestClient
) -> None:
    _, document, _ = published(api, client, article_body())

    assert document["seo"]["description"] is None
    assert document["social"]["description"] is None
    assert document["social"]["image"] is None


def test_the_section_is_the_type_without_a_section_tag(
    api: Api, client: TestClient, site: None
) -> None:
    topic = api.create("tags", tag_body(kind="topic", slug="diplomacy"))["id"]
    written = article_body(type="opinion", tag_ids=[topic])

    record, document, _ = published(api, client, written)

    page = f"https://www.example.com/opinion/2026/11/18/{written['slug']}-{record['id']}.opinion"
    assert document["links"]["web"] == document["links"]["canonical"] == page


def test_a_canonical_url_without_a_template_is_the_only_link(api: Api, client: TestClient) -> None:
    canonical = "https://www.partner.example/original"

    _, document, _ = published(api, client, article_body(canonical_url=canonical))

    assert document["links"]["web"] is None
    assert document["links"]["canonical"] == canonical


def test_renaming_the_section_tag_moves_the_web_link(
    api: Api, client: TestClient, site: None
) -> None:
    section = api.create("tags", tag_body(kind="section", slug="world"))["id"]
    written = article_body(tag_ids=[section])
    published(api, client, written)

    api.update("tags", section, {"slug": "international"})

    document = ok(client.get(f"/v1/articles/{written['slug']}"))
    assert document["links"]["web"].startswith("https://www.example.com/international/")


def test_a_correction_sets_updated_at_and_never_published_at(api: Api, client: TestClient) -> None:
    written = article_body(updated_at="2026-11-18T07:00:00Z")
    record, _, _ = published(api, client, written)
    note = {"kind": "correction", "text": "A name was misspelled.", "noted_at": PUBLISHED}

    # A note older than the written time leaves it: updated_at is the later of the two.
    api.update("articles", record["id"], {"corrections": [note]})
    assert api.read("articles", record["id"])[0]["updated_at"] == "2026-11-18T07:00:00Z"

    later = {**note, "noted_at": "2026-11-21T12:00:00Z"}
    updated = api.update("articles", record["id"], {"corrections": [note, later]})
    assert updated["updated_at"] == "2026-11-21T12:00:00Z"
    # Readers see the note once it is published; the first publish time stays.
    assert ok(client.get(f"/v1/articles/{written['slug']}"))["corrections"] == []
    api.publish(record["id"])

    document = ok(client.get(f"/v1/articles/{written['slug']}"))
    assert document["corrections"] == [note, later]
    assert document["updated_at"] == "2026-11-21T12:00:00Z"
    assert document["published_at"] == PUBLISHED
    assert api.read("articles", record["id"])[0]["published_at"] == PUBLISHED


def test_correction_text_is_cleaned_like_a_paragraph(api: Api) -> None:
    note = {
        "kind": "update",
        "text": 'Added <script>alert(1)</script><a href="javascript:x()">a</a> quote.',
        "noted_at": PUBLISHED,
    }

    record = api.create("articles", article_body(corrections=[note]))

    assert record["corrections"][0]["text"] == 'Added <a rel="noopener">a</a> quote.'


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({"canonical_url": "/2026/11/the-ceasefire"}, ["body", "canonical_url"]),
        ({"canonical_url": "ftp://partner.example/a"}, ["body", "canonical_url"]),
        ({"social_image_id": 2_000_000_000}, ["body", "social_image_id"]),
        ({"seo_headline": "x" * 111}, ["body", "seo_headline"]),
        ({"social_description": "x" * 301}, ["body", "social_description"]),
        (
            {"corrections": [{"kind": "erratum", "text": "x", "noted_at": PUBLISHED}]},
            ["body", "corrections", 0, "kind"],
        ),
        (
            {"corrections": [{"kind": "update", "text": "x", "noted_at": "2026-11-18"}]},
            ["body", "corrections", 0, "noted_at"],
        ),
        (
            {
                "corrections": [
                    {"kind": "update", "text": "b", "noted_at": "2026-11-19T00:00:00Z"},
                    {"kind": "update", "text": "a", "noted_at": "2026-11-18T00:00:00Z"},
                ]
            },
            ["body", "corrections"],
        ),
    ],
)
def test_bad_web_fields_are_refused(api: Api, fields: Json, location: list[str | int]) -> None:
    response = api.post("/articles", article_body(**fields))

    assert error_locations(response) == [location]
    assert api.get("/articles").json()["items"] == []


def test_an_image_used_as_a_social_card_cannot_be_deleted(api: Api) -> None:
    card = api.create("images", image_body())["id"]
    article = api.create("articles", article_body(social_image_id=card))

    assert [use["id"] for use in refused_delete(api, "images", card)] == [article["id"]]


def test_a_social_image_change_re_renders_the_document(api: Api, client: TestClient) -> None:
    card = api.create("images", image_body())["id"]
    written = article_body(social_image_id=card)
    published(api, client, written)

    api.update("images", card, {"alt_text": "A changed description"})

    document = ok(client.get(f"/v1/articles/{written['slug']}"))
    assert document["social"]["image"]["alt_text"] == "A changed description"


@pytest.mark.parametrize(
    ("template", "line"),
    [
        (
            "https://www.example.com/{category}/{slug}",
            "{category} is not a placeholder: use {slug}, {id}, {type}, {section}, {year}, "
            "{month}, {day}",
        ),
        (
            "https://www.example.com/{slug:>40}",
            "{slug:>40} is not a placeholder: use {slug}, {id}, {type}, {section}, {year}, "
            "{month}, {day}",
        ),
        (
            "/{section}/{slug}",
            "not an absolute http(s) URL, e.g. https://www.example.com/{section}/{slug}",
        ),
        (
            "www.example.com/{slug}",
            "not an absolute http(s) URL, e.g. https://www.example.com/{section}/{slug}",
        ),
    ],
)
def test_a_bad_template_is_one_setting_error(template: str, line: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(database_url="sqlite://", web_url_template=template)

    assert setting_errors(raised.value) == [f"invalid setting WEB_URL_TEMPLATE={template}: {line}"]
