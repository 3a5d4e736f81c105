"""Quotes through /v1/manage/quotes."""

from tests.helpers import problem
from tests.manage.conftest import EDITOR
from tests.manage.support import (
    Api,
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
