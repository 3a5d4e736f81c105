"""Feeds of published articles in RSS 2.0, Atom 1.0 and JSON Feed 1.1: order, visibility
and hostile text."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.feeds.reading import every_format


def test_latest_articles_newest_first_in_every_format(client: TestClient, session: Session) -> None:
    for hours, headline in ((3, "Oldest"), (1, "Newest"), (2, "Middle")):
        factories.article(session, headline=headline, published_at=factories.hours_ago(hours))
    factories.draft(session, headline="Draft", published_at=factories.hours_ago(1))
    factories.scheduled(session, headline="Scheduled")

    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert [e["title"] for e in shown] == ["Newest", "Middle", "Oldest"], extension


def test_a_scheduled_article_appears_at_its_time(
    client: TestClient, session: Session, clock: Clock
) -> None:
    future = factories.scheduled(session, headline="Later")
    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert shown == [], extension

    assert future.published_at is not None
    clock.pinned = future.published_at
    for extension, shown in every_format(client, "/v1/feeds/latest").items():
        assert [e["title"] for e in shown] == ["Later"], extension


HOSTILE = (
    "Ceasefire ]]> <script>alert(1)</script> & Co \x01\x08\x0b\x0c\x1f \ufffe "
    "\u00e9t\u00e9 \U0001f54a\ufe0f \"quoted\" 'single' &amp;"
)
# What XML 1.0 can hold: the control characters and U+FFFE are gone.
CLEANED = (
    "Ceasefire ]]> <script>alert(1)</script> & Co   "
    "\u00e9t\u00e9 \U0001f54a\ufe0f \"quoted\" 'single' &amp;"
)


def test_hostile_headlines_and_deks_stay_well_formed(client: TestClient, session: Session) -> None:
    factories.article(session, headline=HOSTILE, dek=HOSTILE)

    shown = every_format(client, "/v1/feeds/latest")

    for extension in ("rss", "atom"):
        [entry] = shown[extension]
        assert entry["summary"] == CLEANED, extension
        # feedparser sanitizes titles as HTML: the script element never survives as markup.
        assert "]]>" in entry["title"]
        assert "\U0001f54a" in entry["title"]
        assert "\x01" not in entry["title"]
    # JSON holds any character: the text arrives as written.
    [item] = shown["json"]
    assert (item["title"], item["summary"]) == (HOSTILE, HOSTILE)
