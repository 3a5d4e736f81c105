"""Quotes: records of words said, visible once a visible published article uses them."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models import Quote
from app.models.enums import QuoteKind
from app.models.quotes import DatePrecision
from tests import factories
from tests.conftest import Clock
from tests.helpers import ids, ok, problem, walk


def _published_with(session: Session, *quotes: Quote, **article: Any) -> None:
    factories.article(
        session, body=[{"type": "quote", "quote_id": q.id} for q in quotes], **article
    )


def test_quotes_newest_said_first_and_only_from_visible_articles(
    client: TestClient, session: Session
) -> None:
    minister = factories.person(session)
    kremlin = factories.person(session, kind="organization")
    old = factories.quote(session, minister, said_on="2024-05-05")
    new = factories.quote(session, kremlin, said_on="2026-10-30")
    middle = factories.quote(session, minister, said_on="2025-12-31")
    in_draft = factories.quote(session, minister, said_on="2026-11-01")
    in_future = factories.quote(session, minister, said_on="2026-11-02")
    factories.quote(session, minister, said_on="2026-11-03")  # used nowhere
    _published_with(session, old, new)
    _published_with(session, middle, old)
    _published_with(session, in_draft, status="draft")
    _published_with(session, in_future, published_at=factories.hours_ahead(2))

    assert ids(client.get("/v1/quotes")) == [new.id, middle.id, old.id]


def test_quotes_filtered_by_speaker(client: TestClient, session: Session) -> None:
    minister = factories.person(session)
    kremlin = factories.person(session, kind="organization")
    first = factories.quote(session, minister, said_on="2026-01-01")
    second = factories.quote(session, minister, said_on="2026-02-01")
    theirs = factories.quote(session, kremlin, said_on="2026-03-01")
    _published_with(session, first, second, theirs)
    assert kremlin.id is not None

    assert ids(client.get("/v1/quotes", params={"speaker": minister.id})) == [second.id, first.id]
    assert ids(client.get("/v1/quotes", params={"speaker": kremlin.id})) == [theirs.id]
    assert ids(client.get("/v1/quotes", params={"speaker": kremlin.id + 1000})) == []


def test_quotes_page_through_every_quote_once(client: TestClient, session: Session) -> None:
    speaker = factories.person(session)
    days = ["2026-01-01", "2026-01-01", "2026-01-01", "2026-02-01", "2026-03-01"]
    quotes = [factories.quote(session, speaker, said_on=day) for day in days]
    _published_with(session, *quotes)

    pages = walk(client, "/v1/quotes", limit=2)

    assert [len(page) for page in pages] == [2, 2, 1]
    expected = sorted(quotes, key=lambda q: (q.said_on, q.id), reverse=True)
    assert [q["id"] for page in pages for q in page] == [q.id for q in expected]


def test_undated_quotes_come_last_newest_first_and_page_once(
    client: TestClient, session: Session
) -> None:
    speaker = factories.person(session)
    said = [None, "2026-03-01", None, "2026-03-01", "2025-01-01", None, "2026-05-20"]
    quotes = [factories.quote(session, speaker, said_on=day) for day in said]
    month = factories.quote(session, speaker, said_on="2026-04-01", said_on_precision="month")
    _published_with(session, *quotes, month)
    q = [row.id for row in quotes]
    # Dated newest first (a month as its first day), the same day by newest id, then undated.
    expected = [q[6], month.id, q[3], q[1], q[4], q[5], q[2], q[0]]

    for limit in (1, 2, 3, 20):
        pages = walk(client, "/v1/quotes", limit=limit)
        assert [item["id"] for page in pages for item in page] == expected
        assert all(len(page) == limit for page in pages[:-1])
    assert ids(client.get("/v1/quotes", params={"speaker": speaker.id})) == expected


def test_quote_record(client: TestClient, session: Session) -> None:
    kremlin = factories.person(
        session, kind="organization", name="The Kremlin", description="Russian presidency"
    )
    words = factories.quote(
        session,
        kremlin,
        text="The talks were constructive.",
        kind="paraphrase",
        speaker_role="Spokesman",
        said_on="2026-10-12",
        place="Moscow",
        context="in a statement after a phone call",
        source_url="https://kremlin.example/statement",
        language="ru",
    )
    _published_with(session, words)

    response = client.get(f"/v1/quotes/{words.id}")

    assert ok(response) == {
        "id": words.id,
        "text": "The talks were constructive.",
        "kind": "paraphrase",
        "speaker_label": None,
        "speaker_role": "Spokesman",
        "said_on": "2026-10-12",
        "said_on_precision": "day",
        "place": "Moscow",
        "venue": None,
        "context": "in a statement after a phone call",
        "source_url": "https://kremlin.example/statement",
        "language": "ru",
        "speaker": {
            "id": kremlin.id,
            "kind": "organization",
            "name": "The Kremlin",
            "description": "Russian presidency",
        },
    }
    keys = response.headers["surrogate-key"].split()
    assert {f"quote:{words.id}", f"person:{kremlin.id}"} <= set(keys)


def test_quote_used_only_in_drafts_or_nowhere_is_404(client: TestClient, session: Session) -> None:
    speaker = factories.person(session)
    drafted = factories.quote(session, speaker)
    unused = factories.quote(session, speaker)
    _published_with(session, drafted, status="draft")
    assert unused.id is not None

    for quote_id in (drafted.id, unused.id, unused.id + 1000):
        problem(client.get(f"/v1/quotes/{quote_id}"), 404)


def test_quote_in_a_scheduled_article_appears_on_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    speaker = factories.person(session)
    words = factories.quote(session, speaker)
    publish_at = factories.hours_ahead(6)
    _published_with(session, words, published_at=publish_at)

    problem(client.get(f"/v1/quotes/{words.id}"), 404)
    assert ids(client.get("/v1/quotes")) == []

    clock.pinned = publish_at + timedelta(minutes=1)
    assert ok(client.get(f"/v1/quotes/{words.id}"))["id"] == words.id
    assert ids(client.get("/v1/quotes")) == [words.id]


@pytest.mark.parametrize(
    "fields",
    [
        {"said_on": None, "said_on_precision": DatePrecision.unknown},  # nobody said it
        {"speaker_label": "an aide", "said_on": None},  # undated, yet precise to the day
    ],
)
def test_the_table_refuses_what_the_api_refuses(session: Session, fields: dict[str, Any]) -> None:
    # Rows written around the API (imports, scripts) meet the same rules.
    session.add(Quote(text="Words.", kind=QuoteKind.direct, **fields))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
