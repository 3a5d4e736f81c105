"""Draft, publish, schedule, withdraw: readers only ever see what was published."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.helpers import ok, problem, walk
from tests.manage.support import (
    Api,
    Json,
    article_body,
    image_body,
    organization_body,
    person_body,
    quote_body,
    tag_body,
)

# Pinned near the wall clock, so a time two hours ahead is in the future by either clock.
# Whole seconds get a test of their own (test_visible_at_exactly_its_publish_time).
T0 = datetime.now(UTC).replace(microsecond=250_000)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Cast:
    """One article's own people, tag, image and quote, all named with a marker."""

    marker: str
    author: Json
    mentioned: Json
    speaker: Json
    tag: Json
    image: Json
    quote: Json

    def person_ids(self) -> list[int]:
        return [self.author["id"], self.mentioned["id"], self.speaker["id"]]

    def article(self, **fields: object) -> Json:
        return article_body(
            **{
                "slug": f"{self.marker.lower()}-story",
                "headline": f"{self.marker} headline",
                "author_ids": [self.author["id"]],
                "mentions": [{"person_id": self.mentioned["id"], "role": f"{self.marker} role"}],
                "tag_ids": [self.tag["id"]],
                "lead_image": {"image_id": self.image["id"]},
                "body": [
                    {"type": "paragraph", "html": f"{self.marker} paragraph."},
                    {"type": "quote", "quote_id": self.quote["id"]},
                ],
                **fields,
            }
        )


def cast(api: Api, marker: str) -> Cast:
    speaker = api.create("people", organization_body(name=f"{marker} Ministry"))
    return Cast(
        marker=marker,
        author=api.create("people", person_body(name=f"{marker} Author")),
        mentioned=api.create("people", person_body(name=f"{marker} Mentioned")),
        speaker=speaker,
        tag=api.create("tags", tag_body(slug=f"{marker.lower()}-tag", name=f"{marker} Tag")),
        image=api.create("images", image_body(alt_text=f"{marker} photo")),
        quote=api.create("quotes", quote_body(speaker["id"], text=f"{marker} words.")),
    )


def crawl(client: TestClient) -> str:
    """Every public response reachable from the lists, as one text."""
    seen: list[str] = []

    def get(path: str, **params: object) -> Json:
        response = client.get(path, params=params)
        seen.append(response.text)
        assert response.status_code == 200, (path, response.text)
        body: Json = response.json()
        return body

    for page in walk(client, "/v1/articles", limit=100):
        seen.append(str(page))
        for summary in page:
            get(f"/v1/articles/{summary['slug']}")
            get(f"/v1/articles/{summary['slug']}/related")
    for kind in ("news", "opinion", "analysis"):
        get("/v1/articles", type=kind)
    for page in walk(client, "/v1/authors", limit=100):
        seen.append(str(page))
        for author in page:
            get(f"/v1/authors/{author['id']}")
            get(f"/v1/authors/{author['id']}/articles")
            get("/v1/articles", author=author["id"])
    for page in walk(client, "/v1/tags", limit=100):
        seen.append(str(page))
        for tag in page:
            get(f"/v1/tags/{tag['slug']}/articles")
            get("/v1/articles", tag=tag["slug"])
    for page in walk(client, "/v1/quotes", limit=100):
        seen.append(str(page))
        for quote in page:
            get(f"/v1/quotes/{quote['id']}")
            speaker = quote["speaker"]["id"]
            get(f"/v1/people/{speaker}")
            get(f"/v1/people/{speaker}/quotes")
            get(f"/v1/people/{speaker}/articles")
    return "\n".join(seen)


def assert_hidden(client: TestClient, hidden: Cast, article_slug: str) -> None:
    """No public endpoint finds the article or anything only it uses."""
    misses = [
        f"/v1/articles/{article_slug}",
        f"/v1/articles/{article_slug}/related",
        f"/v1/tags/{hidden.tag['slug']}/articles",
        f"/v1/images/{hidden.image['id']}",
        f"/v1/quotes/{hidden.quote['id']}",
        f"/v1/authors/{hidden.author['id']}",
        f"/v1/authors/{hidden.author['id']}/articles",
    ]
    for person in hidden.person_ids():
        misses += [
            f"/v1/people/{person}",
            f"/v1/people/{person}/quotes",
            f"/v1/people/{person}/articles",
        ]
    for path in misses:
        problem(client.get(path), 404)
    for params in (
        {"author": hidden.author["id"]},
        {"person": hidden.mentioned["id"]},
        {"tag": hidden.tag["slug"]},
    ):
        assert ok(client.get("/v1/articles", params=params))["items"] == [], params
    problem(client.get(f"/v1/people/{hidden.speaker['id']}/quotes"), 404)


def test_drafts_never_leak(api: Api, client: TestClient, clock: Clock) -> None:
    clock.pinned = T0
    # Every article shares this tag, so related lists and tag lists would pick up any leak.
    common = api.create("tags", tag_body(slug="common", name="Common"))["id"]
    shown = cast(api, "Shown")
    live = api.create("articles", shown.article(tag_ids=[shown.tag["id"], common]))
    api.publish(live["id"], rfc3339(T0 - timedelta(hours=1)))
    public_before = client.get(f"/v1/articles/{live['slug']}")

    # The live article's draft moves on to other records and words.
    redrafted = cast(api, "Redrafted")
    api.replace(
        "articles",
        live["id"],
        redrafted.article(slug=live["slug"], tag_ids=[redrafted.tag["id"], common]),
    )

    drafted = cast(api, "Drafted")
    api.create("articles", drafted.article(tag_ids=[drafted.tag["id"], common]))

    scheduled = cast(api, "Scheduled")
    future = api.create("articles", scheduled.article(tag_ids=[scheduled.tag["id"], common]))
    assert api.publish(future["id"], rfc3339(T0 + timedelta(hours=2)))["status"] == "scheduled"

    withdrawn = cast(api, "Withdrawn")
    unpublished = api.create("articles", withdrawn.article(tag_ids=[withdrawn.tag["id"], common]))
    api.publish(unpublished["id"])
    assert ok(client.get(f"/v1/articles/{unpublished['slug']}"))["id"] == unpublished["id"]
    assert api.act(unpublished["id"], "unpublish").json()["status"] == "draft"

    filed = cast(api, "Filed")
    archived = api.create("articles", filed.article(tag_ids=[filed.tag["id"], common]))
    api.publish(archived["id"])
    assert api.act(archived["id"], "archive").json()["status"] == "archived"

    gone = cast(api, "Gone")
    deleted = api.create("articles", gone.article(tag_ids=[gone.tag["id"], common]))
    api.publish(deleted["id"])
    api.remove("articles", deleted["id"])

    text = crawl(client)

    # The crawl does reach published content, so its silence about the rest means something.
    for needle in (
        "Shown headline",
        "Shown Author",
        "Shown Mentioned",
        "Shown Ministry",
        "Shown Tag",
        "Shown photo",
        "Shown words.",
    ):
        assert needle in text, needle
    for marker in ("Redrafted", "Drafted", "Scheduled", "Withdrawn", "Filed", "Gone"):
        assert marker not in text, marker
    after = client.get(f"/v1/articles/{live['slug']}")
    assert after.content == public_before.content
    assert after.headers["etag"] == public_before.headers["etag"]
    assert_hidden(client, redrafted, "redrafted-story")
    for hidden, slug in (
        (drafted, "drafted-story"),
        (scheduled, future["slug"]),
        (withdrawn, unpublished["slug"]),
        (filed, archived["slug"]),
        (gone, deleted["slug"]),
    ):
        assert_hidden(client, hidden, slug)


def test_scheduled_article_appears_at_its_time(api: Api, client: TestClient, clock: Clock) -> None:
    clock.pinned = T0
    scheduled = cast(api, "Later")
    record = api.create("articles", scheduled.article())
    at = T0 + timedelta(hours=2)

    published = api.publish(record["id"], rfc3339(at))

    assert published["status"] == "scheduled"
    assert datetime.fromisoformat(published["published_at"]) == at
    assert_hidden(client, scheduled, record["slug"])

    clock.pinned = at - timedelta(seconds=1)
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)

    clock.pinned = at
    document = ok(client.get(f"/v1/articles/{record['slug']}"))
    assert datetime.fromisoformat(document["published_at"]) == at
    assert [a["id"] for a in ok(client.get("/v1/articles"))["items"]] == [record["id"]]
    assert ok(client.get(f"/v1/authors/{scheduled.author['id']}"))["article_count"] == 1
    assert (
        ok(client.get(f"/v1/tags/{scheduled.tag['slug']}/articles"))["items"][0]["id"]
        == (record["id"])
    )
    assert ok(client.get(f"/v1/quotes/{scheduled.quote['id']}"))["text"] == "Later words."


def test_editorial_status_follows_the_clock_readers_see(
    api: Api, client: TestClient, clock: Clock
) -> None:
    """The management record must call an article published exactly when readers get it."""
    clock.pinned = T0
    record = api.create("articles", article_body())
    at = T0 + timedelta(hours=2)
    assert api.publish(record["id"], rfc3339(at))["status"] == "scheduled"

    clock.pinned = at + timedelta(minutes=1)

    assert ok(client.get(f"/v1/articles/{record['slug']}"))["id"] == record["id"]
    assert api.read("articles", record["id"])[0]["status"] == "published"


def test_visible_at_exactly_its_publish_time(api: Api, client: TestClient, clock: Clock) -> None:
    """At its publish time an article is on every public route at once, slug lookup included."""
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    record = api.create("articles", article_body())
    api.publish(record["id"], rfc3339(at))

    clock.pinned = at

    assert [a["id"] for a in ok(client.get("/v1/articles"))["items"]] == [record["id"]]
    assert ok(client.get(f"/v1/articles/{record['slug']}"))["id"] == record["id"]


def test_publish_at_must_be_a_zoned_rfc3339_time(api: Api) -> None:
    record = api.create("articles", article_body())

    for value in ("2026-11-20T09:00:00", "tomorrow", 1795000000):
        response = api.act(record["id"], "publish", {"publish_at": value})
        assert response.status_code == 422, (value, response.text)
    assert api.read("articles", record["id"])[0]["status"] == "draft"


def test_editing_a_published_article_changes_only_the_draft(api: Api, client: TestClient) -> None:
    record = api.create("articles", article_body(headline="As published"))
    first = api.publish(record["id"])
    public = client.get(f"/v1/articles/{record['slug']}")

    edited = api.update("articles", record["id"], {"headline": "Corrected", "dek": "New dek."})

    assert edited["has_unpublished_changes"] is True
    assert edited["status"] == "published"
    still = client.get(f"/v1/articles/{record['slug']}")
    assert still.content == public.content
    assert still.headers["etag"] == public.headers["etag"]
    assert ok(client.get("/v1/articles"))["items"][0]["headline"] == "As published"
    preview = ok(api.get(f"/articles/{record['id']}/preview"))
    assert (preview["headline"], preview["dek"]) == ("Corrected", "New dek.")

    republished = api.publish(record["id"])

    assert republished["has_unpublished_changes"] is False
    assert republished["published_revision"] > first["published_revision"]
    # A republish keeps the original publish time; updated_at is the editor's to set.
    assert republished["published_at"] == first["published_at"]
    document = ok(client.get(f"/v1/articles/{record['slug']}"))
    assert (document["headline"], document["dek"]) == ("Corrected", "New dek.")
    assert client.get(f"/v1/articles/{record['slug']}").headers["etag"] != public.headers["etag"]


def test_reverting_the_draft_clears_unpublished_changes(api: Api) -> None:
    record = api.create("articles", article_body(headline="Same"))
    api.publish(record["id"])

    assert api.update("articles", record["id"], {"headline": "Other"})["has_unpublished_changes"]
    assert not api.update("articles", record["id"], {"headline": "Same"})["has_unpublished_changes"]


def test_preview_shows_the_draft_resolved(api: Api, client: TestClient) -> None:
    author = api.create("people", person_body(name="Preview Author"))
    photo = api.create("images", image_body(caption="Own caption"))
    record = api.create(
        "articles",
        article_body(
            type="opinion",
            author_ids=[author["id"]],
            body=[{"type": "image", "image_id": photo["id"]}],
        ),
    )

    response = api.get(f"/articles/{record['id']}/preview")

    preview = ok(response)
    assert response.headers["cache-control"] == "no-store"
    assert preview["id"] == record["id"]
    assert preview["kicker"] == "Op-ed"
    assert [a["name"] for a in preview["authors"]] == ["Preview Author"]
    (block,) = preview["body"]
    assert block["type"] == "image"
    assert block["caption"] == "Own caption"
    assert block["image"]["id"] == photo["id"]
    assert block["image"]["url"] == photo["url"]
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)


def test_unpublish_archive_and_publish_again(api: Api, client: TestClient) -> None:
    record = api.create("articles", article_body())
    api.publish(record["id"])

    unpublished = api.act(record["id"], "unpublish").json()
    assert unpublished["status"] == "draft"
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)
    assert ok(client.get("/v1/articles"))["items"] == []

    assert api.publish(record["id"])["status"] == "published"
    assert ok(client.get(f"/v1/articles/{record['slug']}"))["id"] == record["id"]

    archived = api.act(record["id"], "archive").json()
    assert archived["status"] == "archived"
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)


def test_publishing_actions_need_if_match(api: Api, client: TestClient) -> None:
    record = api.create("articles", article_body())
    stale = api.etag("articles", record["id"])
    api.update("articles", record["id"], {"headline": "Moved on"})

    for action in ("publish", "unpublish", "archive"):
        path = f"/v1/manage/articles/{record['id']}/{action}"
        problem(client.post(path, headers=api.headers()), 428)
        response = client.post(path, headers=api.headers(**{"If-Match": stale}))
        problem(response, 412)
        assert response.headers["etag"] == api.etag("articles", record["id"])

    assert api.read("articles", record["id"])[0]["status"] == "draft"
    problem(client.get(f"/v1/articles/{record['slug']}"), 404)


def test_slug_change_redirects_after_republish(api: Api, client: TestClient) -> None:
    record = api.create("articles", article_body(slug="old-name"))
    api.publish(record["id"])

    api.update("articles", record["id"], {"slug": "new-name"})
    # Until the next publish, readers keep the old address.
    assert ok(client.get("/v1/articles/old-name"))["id"] == record["id"]
    problem(client.get("/v1/articles/new-name"), 404)

    api.publish(record["id"])

    moved = client.get("/v1/articles/old-name", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/v1/articles/new-name"
    assert ok(client.get("/v1/articles/old-name"))["slug"] == "new-name"


def test_redirect_survives_until_another_article_publishes_the_old_slug(
    api: Api, client: TestClient
) -> None:
    first = api.create("articles", article_body(slug="contested"))
    api.publish(first["id"])
    api.update("articles", first["id"], {"slug": "renamed"})
    api.publish(first["id"])
    second = api.create("articles", article_body(slug="fresh"))

    # Another article's unpublished draft takes the old slug: readers must not notice.
    api.update("articles", second["id"], {"slug": "contested"})

    moved = client.get("/v1/articles/contested", follow_redirects=False)
    assert moved.status_code == 301, moved.text
    assert moved.headers["location"] == "/v1/articles/renamed"

    api.publish(second["id"])
    assert ok(client.get("/v1/articles/contested"))["id"] == second["id"]


def test_publishing_a_slug_another_article_shows_is_409(api: Api, client: TestClient) -> None:
    first = api.create("articles", article_body(slug="taken"))
    api.publish(first["id"])
    api.update("articles", first["id"], {"slug": "elsewhere"})
    second = api.create("articles", article_body(slug="taken"))
    before = api.read("articles", second["id"])

    problem(api.act(second["id"], "publish"), 409)

    assert api.read("articles", second["id"]) == before
    assert ok(client.get("/v1/articles/taken"))["id"] == first["id"]


def public(client: TestClient, slug: str) -> httpx.Response:
    response: httpx.Response = client.get(f"/v1/articles/{slug}")
    assert response.status_code == 200, response.text
    return response


def test_writes_to_embedded_records_rerender_published_documents(
    api: Api, client: TestClient
) -> None:
    shown = cast(api, "Embedded")
    first = api.create("articles", shown.article(slug="first-story"))
    second = api.create("articles", shown.article(slug="second-story"))
    untouched = api.create("articles", article_body())
    for record in (first, second, untouched):
        api.publish(record["id"])

    def etags() -> list[str]:
        return [public(client, r["slug"]).headers["etag"] for r in (first, second, untouched)]

    steps = [
        ("people", shown.author["id"], {"name": "Renamed Author"}, "Renamed Author"),
        ("people", shown.mentioned["id"], {"description": "Now a minister"}, "Now a minister"),
        ("people", shown.speaker["id"], {"name": "Renamed Ministry"}, "Renamed Ministry"),
        ("images", shown.image["id"], {"credit_line": "New Credit/AFP"}, "New Credit/AFP"),
        ("quotes", shown.quote["id"], {"text": "Corrected words."}, "Corrected words."),
        ("tags", shown.tag["id"], {"name": "Renamed Tag"}, "Renamed Tag"),
    ]
    for kind, ident, patch, needle in steps:
        before = etags()
        api.update(kind, ident, patch)
        after = etags()
        for slug in ("first-story", "second-story"):
            assert needle in public(client, slug).text, (kind, slug)
        assert after[0] != before[0], kind
        assert after[1] != before[1], kind
        assert after[2] == before[2], kind
    summaries = ok(client.get("/v1/articles"))["items"]
    assert {s["authors"][0]["name"] for s in summaries if s["slug"] != untouched["slug"]} == {
        "Renamed Author"
    }


def test_writes_that_change_nothing_visible_keep_etags(api: Api, client: TestClient) -> None:
    shown = cast(api, "Quiet")
    record = api.create("articles", shown.article())
    api.publish(record["id"])
    etag = public(client, record["slug"]).headers["etag"]

    # Identical content: no new version at all.
    for kind, row in (
        ("people", shown.author),
        ("images", shown.image),
        ("quotes", shown.quote),
        ("tags", shown.tag),
    ):
        content = {k: v for k, v in row.items() if k not in _META}
        assert api.replace(kind, row["id"], content)["version"] == row["version"]
    # A field the document does not show (a mention shows no bio): a new version, same page.
    changed = api.update("people", shown.mentioned["id"], {"bio": "A long biography."})
    assert changed["version"] == shown.mentioned["version"] + 1

    assert public(client, record["slug"]).headers["etag"] == etag


# What a record shows but a write never sends: its metadata, and an image's uploaded file.
_META = {"id", "version", "created_at", "created_by", "modified_at", "modified_by", "file"}
