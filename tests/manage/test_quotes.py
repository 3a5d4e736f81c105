"""Quotes through /v1/manage/quotes."""

import pytest

from tests.helpers import ok, problem
from tests.manage.conftest import EDITOR
from tests.manage.support import (
    Api,
    Json,
    article_body,
    error_locations,
    organization_body,
    person_body,
    quote_body,
    refused_delete,
)


def test_direct_quote_by_a_person_round_trips(api: Api) -> None:
    speaker = api.create("people", person_body(name="Elin Haugland"))
    written = {
        "text": "Both governments have told us they are ready to sit in the same room.",
        "kind": "direct",
        "speaker_id": speaker["id"],
        "speaker_role": "Foreign Minister",
        "said_on": "2026-10-18",
        "place": "Halvik, Norvania",
        "context": "at a news conference at the Foreign Ministry",
        "source_url": "https://news.example.org/briefing",
        "language": "en",
    }

    record = api.create("quotes", written)

    assert {k: record[k] for k in written} == written
    assert record["version"] == 1
    assert record["created_by"] == EDITOR
    assert api.read("quotes", record["id"]) == (record, f'"quote-{record["id"]}-v1"')


def test_paraphrase_by_an_organization(api: Api) -> None:
    office = api.create("people", organization_body(name="Office of the Prime Minister"))

    record = api.create(
        "quotes",
        quote_body(office["id"], kind="paraphrase", context="in a statement after a phone call"),
    )

    assert record["kind"] == "paraphrase"
    assert record["speaker_id"] == office["id"]


def test_missing_speaker_is_named(api: Api) -> None:
    response = api.post("/quotes", quote_body(31337))

    assert error_locations(response) == [["body", "speaker_id"]]
    assert response.json()["errors"][0]["type"] == "reference_missing"
    assert api.get("/quotes").json()["items"] == []


def test_kind_is_a_closed_vocabulary(api: Api) -> None:
    speaker = api.create("people", person_body())

    response = api.post("/quotes", quote_body(speaker["id"], kind="rumour"))

    assert error_locations(response) == [["body", "kind"]]


def test_replace_and_patch(api: Api) -> None:
    speaker = api.create("people", person_body())
    other = api.create("people", person_body())
    record = api.create("quotes", quote_body(speaker["id"], place="Geneva"))

    replaced = api.replace("quotes", record["id"], quote_body(other["id"], text="New words."))
    patched = api.update("quotes", record["id"], {"said_on": "2025-01-02", "place": "Oslo"})

    assert replaced["speaker_id"] == other["id"]
    assert replaced["place"] is None
    assert replaced["version"] == 2
    assert patched["text"] == "New words."
    assert patched["said_on"] == "2025-01-02"
    assert patched["place"] == "Oslo"
    assert patched["version"] == 3


def test_delete_unused_quote(api: Api) -> None:
    speaker = api.create("people", person_body())
    record = api.create("quotes", quote_body(speaker["id"]))

    api.remove("quotes", record["id"])

    problem(api.get(f"/quotes/{record['id']}"), 404)
    # The speaker is free again.
    api.remove("people", speaker["id"])


def test_delete_refused_while_an_article_uses_it(api: Api) -> None:
    speaker = api.create("people", person_body())
    in_draft = api.create("quotes", quote_body(speaker["id"]))
    in_live = api.create("quotes", quote_body(speaker["id"]))
    draft = api.create(
        "articles", article_body(body=[{"type": "quote", "quote_id": in_draft["id"]}])
    )
    live = api.create("articles", article_body(body=[{"type": "quote", "quote_id": in_live["id"]}]))
    api.publish(live["id"])

    assert refused_delete(api, "quotes", in_draft["id"]) == [
        {"kind": "article", "id": draft["id"], "label": f"{draft['slug']} (draft)"}
    ]
    assert refused_delete(api, "quotes", in_live["id"]) == [
        {"kind": "article", "id": live["id"], "label": f"{live['slug']} (published)"}
    ]


def _published(api: Api, body: Json) -> tuple[Json, Json]:
    """The record written and the quote as the published article shows it."""
    record = api.create("quotes", body)
    story = api.create("articles", article_body(body=[{"type": "quote", "quote_id": record["id"]}]))
    api.publish(story["id"])
    document = ok(api.client.get(f"/v1/articles/{story['slug']}"))
    shown: Json = document["body"][0]["quote"]
    return record, shown


@pytest.mark.parametrize(
    ("said_on", "precision"),
    [("2026-10-18", "day"), ("2026-03-01", "month"), ("2025-01-01", "year"), (None, "unknown")],
)
def test_a_date_of_every_precision_round_trips(
    api: Api, said_on: str | None, precision: str
) -> None:
    speaker = api.create("people", person_body())

    record, shown = _published(
        api, quote_body(speaker["id"], said_on=said_on, said_on_precision=precision)
    )

    assert (record["said_on"], record["said_on_precision"]) == (said_on, precision)
    assert (shown["said_on"], shown["said_on_precision"]) == (said_on, precision)
    assert ok(api.client.get(f"/v1/quotes/{record['id']}"))["said_on_precision"] == precision


def test_precision_follows_the_date_when_omitted(api: Api) -> None:
    speaker = api.create("people", person_body())
    dated = quote_body(speaker["id"])
    undated = {k: v for k, v in quote_body(speaker["id"]).items() if k != "said_on"}

    assert api.create("quotes", dated)["said_on_precision"] == "day"
    record = api.create("quotes", undated)
    assert (record["said_on"], record["said_on_precision"]) == (None, "unknown")
    # An explicit null is the same as leaving the date out.
    assert api.create("quotes", {**dated, "said_on": None})["said_on_precision"] == "unknown"


@pytest.mark.parametrize(
    ("said_on", "precision"),
    [
        ("2026-03-15", "month"),  # a month is written as its first day
        ("2026-06-01", "year"),  # a year as its first of January
        ("2026-03-15", "unknown"),  # unknown has no date
        (None, "day"),
        (None, "month"),
    ],
)
def test_a_date_that_disagrees_with_its_precision_is_422(
    api: Api, said_on: str | None, precision: str
) -> None:
    speaker = api.create("people", person_body())

    response = api.post(
        "/quotes", quote_body(speaker["id"], said_on=said_on, said_on_precision=precision)
    )

    assert error_locations(response) == [["body", "said_on_precision"]]
    assert api.get("/quotes").json()["items"] == []


def test_dropping_the_date_needs_the_precision_too(api: Api) -> None:
    speaker = api.create("people", person_body())
    record = api.create("quotes", quote_body(speaker["id"], said_on="2026-05-04"))
    etag = api.etag("quotes", record["id"])

    refused = api.patch(f"/quotes/{record['id']}", {"said_on": None}, etag)
    assert error_locations(refused) == [["body", "said_on_precision"]]
    assert api.read("quotes", record["id"]) == (record, etag)

    patched = api.update("quotes", record["id"], {"said_on": None, "said_on_precision": "unknown"})
    assert (patched["said_on"], patched["said_on_precision"]) == (None, "unknown")


def test_venue_is_kept_apart_from_context(api: Api) -> None:
    speaker = api.create("people", person_body())

    record, shown = _published(
        api,
        quote_body(
            speaker["id"],
            place="Doha",
            venue="at an international forum in a Gulf capital",
            context="in an interview on the sidelines",
        ),
    )

    for quote in (record, shown):
        assert quote["place"] == "Doha"
        assert quote["venue"] == "at an international forum in a Gulf capital"
        assert quote["context"] == "in an interview on the sidelines"


def test_a_label_shows_the_speaker_still_linked_to_the_person(api: Api) -> None:
    prime_minister = api.create("people", person_body(name="Ana Petrov", description="PM"))

    record, shown = _published(
        api, quote_body(prime_minister["id"], speaker_label="the prime minister's office")
    )

    assert record["speaker_id"] == prime_minister["id"]
    assert record["speaker_label"] == "the prime minister's office"
    assert shown["speaker_label"] == "the prime minister's office"
    assert shown["speaker"] == {
        "id": prime_minister["id"],
        "kind": "person",
        "name": "Ana Petrov",
        "description": "PM",
    }
    # The quote still counts as the person's words.
    listed = ok(api.client.get(f"/v1/people/{prime_minister['id']}/quotes"))["items"]
    assert [q["id"] for q in listed] == [record["id"]]


def test_a_label_stands_alone_without_a_person_record(api: Api) -> None:
    body = {k: v for k, v in quote_body(1).items() if k != "speaker_id"}

    record, shown = _published(api, {**body, "speaker_label": "a senior official"})

    assert (record["speaker_id"], record["speaker_label"]) == (None, "a senior official")
    assert (shown["speaker"], shown["speaker_label"]) == (None, "a senior official")
    response = api.client.get(f"/v1/quotes/{record['id']}")
    assert ok(response)["speaker"] is None
    assert not any(k.startswith("person:") for k in response.headers["surrogate-key"].split())


def test_a_quote_needs_a_speaker_or_a_label(api: Api) -> None:
    speaker = api.create("people", person_body())
    body = {k: v for k, v in quote_body(1).items() if k != "speaker_id"}

    for payload in (body, {**body, "speaker_id": None}, {**body, "speaker_label": None}):
        response = api.post("/quotes", payload)
        assert error_locations(response) == [["body", "speaker_id"]]
        assert "speaker_label" in response.json()["errors"][0]["message"]
    assert api.get("/quotes").json()["items"] == []

    # Dropping the person from a quote needs a label in its place.
    record = api.create("quotes", quote_body(speaker["id"]))
    etag = api.etag("quotes", record["id"])
    assert error_locations(api.patch(f"/quotes/{record['id']}", {"speaker_id": None}, etag)) == [
        ["body", "speaker_id"]
    ]
    patched = api.update(
        "quotes", record["id"], {"speaker_id": None, "speaker_label": "the ministry"}
    )
    assert (patched["speaker_id"], patched["speaker_label"]) == (None, "the ministry")
    # The person is no longer used by it.
    api.remove("people", speaker["id"])


def test_a_rule_between_fields_has_its_own_problem_type(api: Api) -> None:
    """The schema cannot state these rules, so a client can tell them from a malformed body."""
    speaker = api.create("people", person_body())
    disagreeing = quote_body(speaker["id"], said_on="2026-03-15", said_on_precision="month")
    nobody = {k: v for k, v in quote_body(speaker["id"]).items() if k != "speaker_id"}
    malformed = quote_body(speaker["id"], said_on="2026-13-45")

    for body, problem_type in (
        (disagreeing, "content-rule"),
        (nobody, "content-rule"),
        (malformed, "validation-error"),
    ):
        response = api.post("/quotes", body)
        assert problem(response, 422)["type"] == f"urn:byline:problem:{problem_type}"
