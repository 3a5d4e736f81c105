"""Every element of the reference page, written through the API and read back unchanged.

The expected document is built from what was written (ids aside), never from
what the API answered, so any field the API drops, reorders or rewrites fails.
"""

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import ok
from tests.manage.support import Api, Json

AFFILIATION_DEFAULTS = {
    "organization": None,
    "organization_full_name": None,
    "organization_id": None,
    "is_current": True,
    "note": None,
}
IMAGE_DEFAULTS = {
    "caption": None,
    "photographer": None,
    "provider": None,
    "distributor": None,
    "is_pool": False,
    "is_file_photo": False,
    "is_handout": False,
    "screenshot_source": None,
    "usage_terms": None,
    "width": None,
    "height": None,
    "taken_on": None,
    "location": None,
    "focal_point": None,
    "file": None,
}
QUOTE_DEFAULTS = {
    "speaker_label": None,
    "speaker_role": None,
    "said_on": None,
    "place": None,
    "venue": None,
    "context": None,
    "source_url": None,
    "language": "en",
}


class Newsroom:
    """Writes records through the API and keeps what readers should get back for each."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.people: dict[int, Json] = {}
        self.images: dict[int, Json] = {}
        self.quotes: dict[int, Json] = {}
        self.tags: dict[int, Json] = {}

    def person(self, generated_line: str | None = None, **written: Any) -> int:
        ident: int = self.api.create("people", written)["id"]
        self.people[ident] = {
            "id": ident,
            "kind": written["kind"],
            "name": written["name"],
            "sort_name": written.get("sort_name"),
            "description": written.get("description"),
            "bio": written.get("bio"),
            "bio_line": written.get("bio_line", generated_line),
            "affiliations": [
                {**AFFILIATION_DEFAULTS, **a} for a in written.get("affiliations", [])
            ],
            "headshot": None,
            "links": written.get("links", []),
        }
        return ident

    def ref(self, person: int) -> Json:
        card = self.people[person]
        return {k: card[k] for k in ("id", "kind", "name", "description")}

    def image(self, depicted: list[tuple[int, str | None]] = (), **written: Any) -> int:  # type: ignore[assignment]
        body = {
            **written,
            "depicted": [{"person_id": p, "frame_position": where} for p, where in depicted],
        }
        ident: int = self.api.create("images", body)["id"]
        self.images[ident] = {
            **IMAGE_DEFAULTS,
            **written,
            "id": ident,
            "depicted": [
                {"person_id": p, "name": self.people[p]["name"], "frame_position": where}
                for p, where in depicted
            ],
        }
        return ident

    def headshot(self, person: int, image: int) -> None:
        self.api.update("people", person, {"headshot_image_id": image})
        self.people[person]["headshot"] = self.images[image]

    def quote(self, speaker: int | None, **written: Any) -> int:
        ident: int = self.api.create("quotes", {**written, "speaker_id": speaker})["id"]
        self.quotes[ident] = {
            **QUOTE_DEFAULTS,
            "said_on_precision": "day" if written.get("said_on") else "unknown",
            **written,
            "id": ident,
            "speaker": None if speaker is None else self.ref(speaker),
        }
        return ident

    def tag(self, **written: Any) -> int:
        ident: int = self.api.create("tags", written)["id"]
        self.tags[ident] = {k: written[k] for k in ("slug", "name", "kind")} | {"id": ident}
        return ident

    def placed(self, image: int, caption: str | None) -> Json:
        return {"caption": caption or self.images[image]["caption"], "image": self.images[image]}


def paragraph(html: str) -> Json:
    return {"type": "paragraph", "html": html}


def test_the_reference_page_round_trips(api: Api, client: TestClient) -> None:
    room = Newsroom(api)

    # The byline: three authors, in order, with bio lines made of ordered affiliations.
    council = room.person(kind="organization", name="Example Council", description="A think tank")
    first = room.person(
        kind="person",
        name="Marit Solberg",
        sort_name="Solberg, Marit",
        description="Senior fellow",
        bio="Marit Solberg served two terms in parliament before joining ACME.",
        links=[
            {"label": "Website", "url": "https://solberg.example.org"},
            {"label": "X", "url": "https://x.example.com/msolberg"},
        ],
        affiliations=[
            {
                "role": "Executive Director",
                "organization": "ACME",
                "organization_full_name": "Association for Civic Mediation and Exchange",
            },
            {
                "role": "Senior non-resident fellow",
                "organization": "Example Council",
                "organization_id": council,
            },
            {"role": "member of Parliament", "is_current": False, "note": "Unity Party"},
        ],
        generated_line="Executive Director, ACME (Association for Civic Mediation and Exchange); "
        "Senior non-resident fellow, Example Council; "
        "former member of Parliament (Unity Party)",
    )
    second = room.person(
        kind="person",
        name="Tomas Varga",
        affiliations=[{"role": "Correspondent", "organization": "The Ledger"}],
        generated_line="Correspondent, The Ledger",
    )
    # The publication prints this one its own way, with no affiliation behind it.
    third = room.person(
        kind="person",
        name="Ines Okafor",
        bio_line="Ines Okafor is a visiting scholar at the Example Council",
    )

    # People and institutions the piece mentions and quotes.
    minister = room.person(kind="person", name="Elin Haugland", description="Diplomat")
    president = room.person(kind="person", name="Anatol Veresh")
    office = room.person(
        kind="organization", name="Presidential Office of Kestria", description="Head of state"
    )

    # Images: five credit shapes, depicted people with positions, one headshot.
    portrait = room.image(
        url="https://images.example.org/solberg.jpg",
        alt_text="Marit Solberg smiling",
        credit_line="Council handout",
        is_handout=True,
        width=400,
        height=400,
        depicted=[(first, None)],
    )
    room.headshot(first, portrait)
    pool = room.image(
        url="https://images.example.org/summit.jpg",
        alt_text="Two leaders shake hands",
        caption="Foreign Minister Elin Haugland (left) and President Anatol Veresh (right) "
        "in Tavrin on June 14, 2019.",
        credit_line="AP/Jane Doe, Pool/File",
        photographer="Jane Doe",
        provider="AP",
        is_pool=True,
        is_file_photo=True,
        width=3000,
        height=2000,
        taken_on="2019-06-14",
        location="Tavrin, Kestria",
        depicted=[(minister, "left"), (president, "right")],
    )
    afp = room.image(
        url="https://images.example.org/podium.jpg",
        alt_text="A man at a podium",
        caption="President Anatol Veresh speaks in Halvik.",
        credit_line="John Roe/Pool/AFP",
        photographer="John Roe",
        provider="AFP",
        is_pool=True,
        taken_on="2024-02-01",
        depicted=[(president, "center")],
    )
    via = room.image(
        url="https://images.example.org/table.jpg",
        alt_text="Officials around a table",
        credit_line="Ann Poe, Newswire, Government Pool Photo via AP",
        photographer="Ann Poe",
        provider="Newswire",
        distributor="AP",
        is_pool=True,
    )
    handout = room.image(
        url="https://images.example.org/call.jpg",
        alt_text="A president on the phone",
        credit_line="Office of the Prime Minister via AP",
        provider="Office of the Prime Minister",
        distributor="AP",
        is_handout=True,
    )
    screenshot = room.image(
        url="https://images.example.org/post.png",
        alt_text="A social media post",
        credit_line="Screenshot: X; used in accordance with Clause 27a of the Copyright Law",
        screenshot_source="X",
        usage_terms="used in accordance with Clause 27a of the Copyright Law",
    )

    # Quotes: direct and paraphrased, by a person and by an organization, dated to the day,
    # the month or not at all, with venue apart from medium, and shown under a label.
    direct = room.quote(
        minister,
        text="Both governments have told us they are ready to sit in the same room.",
        kind="direct",
        speaker_role="Foreign Minister",
        said_on="2026-11-15",
        place="Doha",
        venue="at an international forum in a Gulf capital",
        context="speaking on a panel",
        source_url="https://news.example.org/forum",
    )
    paraphrase = room.quote(
        president,
        text="The president said the ceasefire would hold through the winter.",
        kind="paraphrase",
        speaker_role="President",
        said_on="2026-11-16",
        context="in an interview with a TV channel",
    )
    statement = room.quote(
        office,
        text="The sides agreed to continue contacts at every level.",
        kind="direct",
        speaker_label="the presidential office",
        said_on="2026-11-17",
        context="in a statement after a phone call",
        language="en",
    )

    pledge = room.quote(
        president,
        text="The president pledged never to sign a partition.",
        kind="paraphrase",
        speaker_role="President",
    )
    recalled = room.quote(
        minister,
        text="We were close in the spring.",
        kind="direct",
        said_on="2026-04-01",
        said_on_precision="month",
    )
    archived = room.quote(
        None, text="The border stays open.", kind="direct", speaker_label="a border official"
    )

    diplomacy = room.tag(slug="diplomacy", name="Diplomacy", kind="topic")
    opinion = room.tag(slug="opinion", name="Opinion", kind="section")
    kestria = room.tag(slug="kestria", name="Kestria", kind="place")

    body = [
        paragraph(
            'Talks resumed in <a href="https://example.org/geneva" rel="noopener">Geneva</a> '
            "on <em>Monday</em>, and <strong>nobody</strong> signed anything."
        ),
        {"type": "heading", "level": 2, "text": "What the ministers said"},
        {"type": "image", "image_id": pool, "caption": "Haugland (left) with Veresh in 2019."},
        paragraph("The foreign minister was <i>cautious</i>.<br>Others were <b>not</b>."),
        {"type": "quote", "quote_id": direct},
        {"type": "quote", "quote_id": paraphrase},
        {"type": "pull_quote", "text": "Nobody signed anything.", "attribution": "The author"},
        {"type": "image", "image_id": afp, "caption": None},
        {"type": "quote", "quote_id": statement},
        {"type": "quote", "quote_id": pledge},
        {"type": "quote", "quote_id": recalled},
        {"type": "quote", "quote_id": archived},
        {"type": "image", "image_id": via, "caption": "Officials in Halvik."},
        {"type": "heading", "level": 3, "text": "The statement"},
        {"type": "image", "image_id": handout},
        {
            "type": "embed",
            "url": "https://x.example.com/kestria/status/1",
            "provider": "X",
            "title": "The office's post",
        },
        {"type": "image", "image_id": screenshot, "caption": "The post, since deleted."},
        paragraph('Write to <a href="mailto:letters@example.org" rel="noopener">us</a>.'),
    ]
    written = {
        "slug": "the-ceasefire-that-nobody-signed",
        "type": "opinion",
        "kicker": "Guest essay",
        "headline": "The ceasefire that nobody signed",
        "dek": "Both sides claim victory in a truce neither wrote down.",
        "language": "en-GB",
        "author_ids": [first, second, third],
        "lead_image": {"image_id": pool, "caption": "Elin Haugland and Anatol Veresh in 2019."},
        "body": body,
        "author_note": "The writer, a former member of parliament, is a senior fellow at "
        "the Example Council.",
        "mentions": [
            {"person_id": minister, "role": "Foreign Minister"},
            {"person_id": president, "role": "President"},
            {"person_id": office, "role": None},
        ],
        "tag_ids": [opinion, diplomacy, kestria],
        "seo_headline": "Kestria ceasefire: why nobody signed",
        "seo_description": "Both sides claim victory in a Kestria truce neither wrote down.",
        "social_headline": "The ceasefire nobody signed",
        "social_description": "Neither side would put it in writing.",
        "social_image_id": handout,
        "canonical_url": "https://www.partner.example/2026/11/18/the-ceasefire",
        "corrections": [
            {
                "kind": "correction",
                "text": "An earlier version misstated the <em>date</em> of the phone call.",
                "noted_at": "2026-11-18T09:00:00Z",
            },
            {
                "kind": "update",
                "text": "Added the office's statement.",
                "noted_at": "2026-11-19T10:15:00Z",
            },
        ],
        "updated_at": "2026-11-19T10:15:00Z",
    }
    record = api.create("articles", written)
    api.publish(record["id"], "2026-11-18T06:00:00Z")

    document = ok(client.get("/v1/articles/the-ceasefire-that-nobody-signed"))

    def resolve(block: Json) -> Json:
        if block["type"] == "image":
            return {"type": "image", **room.placed(block["image_id"], block.get("caption"))}
        if block["type"] == "quote":
            return {"type": "quote", "quote": room.quotes[block["quote_id"]]}
        return _full(block)

    expected = {
        "id": record["id"],
        "slug": written["slug"],
        "type": "opinion",
        "kicker": "Guest essay",
        "headline": written["headline"],
        "dek": written["dek"],
        "language": "en-GB",
        "published_at": "2026-11-18T06:00:00Z",
        "updated_at": "2026-11-19T10:15:00Z",
        "authors": [room.people[p] for p in (first, second, third)],
        "lead_image": room.placed(pool, "Elin Haugland and Anatol Veresh in 2019."),
        "body": [resolve(block) for block in body],
        "author_note": written["author_note"],
        "people": [
            {"person": room.ref(minister), "role": "Foreign Minister"},
            {"person": room.ref(president), "role": "President"},
            {"person": room.ref(office), "role": None},
        ],
        "tags": [room.tags[t] for t in (opinion, diplomacy, kestria)],
        "seo": {"headline": written["seo_headline"], "description": written["seo_description"]},
        "social": {
            "headline": written["social_headline"],
            "description": written["social_description"],
            "image": room.images[handout],
        },
        "corrections": written["corrections"],
        "links": {
            "self": "/v1/articles/the-ceasefire-that-nobody-signed",
            "related": "/v1/articles/the-ceasefire-that-nobody-signed/related",
            "web": None,
            "canonical": written["canonical_url"],
        },
    }
    for moment in ("published_at", "updated_at"):
        assert datetime.fromisoformat(document[moment]) == datetime.fromisoformat(expected[moment])
        document[moment] = expected[moment]
    assert document == expected

    # The draft the editor reads back holds exactly what was written.
    draft = api.read("articles", record["id"])[0]
    assert {k: draft[k] for k in written if k != "updated_at"} == {
        k: v for k, v in written.items() if k != "updated_at"
    } | {"body": [{"caption": None, **b} if b["type"] == "image" else _full(b) for b in body]}


BLOCK_DEFAULTS: dict[str, Json] = {
    "heading": {"level": 2},
    "pull_quote": {"attribution": None},
    "embed": {"provider": None, "title": None},
}


def _full(block: Json) -> Json:
    """A block with the defaults of what the editor left out."""
    return {**BLOCK_DEFAULTS.get(block["type"], {}), **block}
