"""POST /v1/views:batch: counted views imported all at once, or not at all."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.conftest import Clock
from tests.helpers import problem
from tests.popularity.support import (
    WINDOWS,
    Json,
    all_buckets,
    floor_to_day,
    floor_to_hour,
    ident,
    iso,
    ranking,
    stored_views,
)

BATCH = "/v1/views:batch"
MAX_ROWS = 10_000
RETENTION = timedelta(days=90)  # the default view_retention_days


def post(client: TestClient, secret: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    response: httpx.Response = client.post(BATCH, json=body, headers=headers)
    return response


def row(slug: str, at: datetime, count: int = 1) -> Json:
    return {"slug": slug, "viewed_at": iso(at), "count": count}


def rejected_rows(response: httpx.Response) -> set[int]:
    body = problem(response, 422)
    indexes: set[int] = set()
    for error in body["errors"]:
        location = error["location"]
        assert location[:2] == ["body", "rows"], error
        assert isinstance(location[2], int), error
        indexes.add(location[2])
    return indexes


@pytest.fixture
def now(clock: Clock) -> datetime:
    """A pinned now, so the edges of the retention window are exact."""
    clock.pinned = datetime.now(UTC).replace(microsecond=250_000)
    return clock.pinned


def test_auth(client: TestClient, session: Session, now: datetime) -> None:
    article = factories.article(session)
    body = {"rows": [row(article.slug, now - timedelta(minutes=5), 3)]}

    problem(post(client, None, body), 401)
    problem(post(client, "not-a-token", body), 401)
    for scopes in (("content:read",), ("content:publish",), ("content:read", "content:publish")):
        problem(post(client, factories.make_token(session, *scopes), body), 403)
    assert stored_views(session, article.id) == 0

    granted = [("analytics:write",), ("content:write",), ("admin",)]
    for i, scopes in enumerate(granted, start=1):
        response = post(client, factories.make_token(session, *scopes), body)
        assert response.status_code == 200, response.text
        assert response.json() == {"rows": 1, "views": 3}
        assert stored_views(session, article.id) == 3 * i


def test_ten_thousand_rows_land_in_their_hour_buckets(
    client: TestClient, session: Session, now: datetime
) -> None:
    articles = [factories.article(session) for _ in range(3)]
    slugs = {a.slug: ident(a) for a in articles}
    secret = factories.make_token(session, "analytics:write")
    rng = random.Random(4)
    rows: list[Json] = []
    expected: Counter[tuple[int, datetime]] = Counter()
    for _ in range(MAX_ROWS):
        slug = rng.choice(list(slugs))
        # Anywhere in the last 80 days, to the microsecond, some in other UTC offsets.
        at = now - timedelta(microseconds=rng.randrange(int(80 * 86400 * 1e6)))
        count = rng.randint(1, 1000)
        offset = timedelta(hours=rng.choice([0, 0, 5.5, -7]))
        rows.append(
            {
                "slug": slug,
                "viewed_at": at.astimezone(timezone(offset)).isoformat(),
                "count": count,
            }
        )
        expected[(slugs[slug], floor_to_hour(at))] += count

    response = post(client, secret, {"rows": rows})
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": MAX_ROWS, "views": sum(expected.values())}
    assert all_buckets(session) == {(a, "hour", start): n for (a, start), n in expected.items()}
    since = floor_to_day(now - timedelta(days=30))
    totals = dict(ranking(client, window="30d", limit=50))
    assert totals == {
        article.id: sum(
            n for (a, start), n in expected.items() if a == article.id and start >= since
        )
        for article in articles
    }


def test_ten_thousand_rows_with_long_slugs_are_accepted(
    client: TestClient, session: Session, now: datetime
) -> None:
    """The documented maximum holds for any valid rows, not only those with short slugs."""
    slug = "-".join(["parliament-votes-on-the-energy-bill-after-an-all-night-session"] * 2)[:120]
    slug = slug.rstrip("-")
    article = factories.article(session, slug=slug)
    secret = factories.make_token(session, "analytics:write")
    rows = [
        {"slug": slug, "viewed_at": (now - timedelta(seconds=i)).isoformat(), "count": 1000}
        for i in range(MAX_ROWS)
    ]
    response = post(client, secret, {"rows": rows})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert stored_views(session, article.id) == 1000 * MAX_ROWS


def test_the_window_edges_of_a_batch(client: TestClient, session: Session, now: datetime) -> None:
    article = factories.article(session)
    secret = factories.make_token(session, "analytics:write")
    tiny = timedelta(microseconds=1)
    good = [now, now - tiny, now - RETENTION, now - RETENTION + tiny]
    response = post(client, secret, {"rows": [row(article.slug, at, 1) for at in good]})
    assert response.status_code == 200, response.text
    assert stored_views(session, article.id) == len(good)
    for bad in (now + tiny, now + timedelta(hours=1), now - RETENTION - tiny):
        assert rejected_rows(post(client, secret, {"rows": [row(article.slug, bad)]})) == {0}
    assert stored_views(session, article.id) == len(good)


def test_a_bad_row_rejects_the_whole_batch_and_names_each_bad_row(
    client: TestClient, session: Session, now: datetime
) -> None:
    first = factories.article(session)
    second = factories.article(session, type="opinion")
    draft = factories.draft(session)
    secret = factories.make_token(session, "content:write")
    seed = [row(first.slug, now - timedelta(hours=h), 10 + h) for h in range(0, 800, 7)]
    seed += [row(second.slug, now - timedelta(hours=h), 5) for h in range(0, 500, 3)]
    assert post(client, secret, {"rows": seed}).status_code == 200
    before = {w: ranking(client, window=w, limit=50) for w in WINDOWS}
    stored = all_buckets(session)
    assert before["30d"], "the seed should rank"

    fine = [row(first.slug, now - timedelta(minutes=m), 100) for m in range(0, 3000, 10)]
    bad = {
        3: row("no-such-article", now - timedelta(hours=1)),
        17: row(first.slug, now + timedelta(minutes=1)),
        40: row(second.slug, now - RETENTION - timedelta(hours=1)),
        41: row(draft.slug, now - timedelta(hours=2)),
        299: row("no-such-article", now + timedelta(days=1)),
    }
    rows = list(fine)
    for index in sorted(bad):
        rows.insert(index, bad[index])
    assert all(rows[i] == r for i, r in bad.items())

    response = post(client, secret, {"rows": rows})
    assert rejected_rows(response) == set(bad)
    errors = response.json()["errors"]
    # A row that is wrong twice is named for both faults.
    assert {tuple(e["location"][2:]) for e in errors if e["location"][2] == 299} == {
        (299, "slug"),
        (299, "viewed_at"),
    }
    detail = response.json()["detail"]
    assert all(str(i) in detail for i in bad), detail

    assert all_buckets(session) == stored
    assert {w: ranking(client, window=w, limit=50) for w in WINDOWS} == before


def test_a_scheduled_article_is_not_yet_importable(
    client: TestClient, session: Session, now: datetime
) -> None:
    """Views can't be in the future, and a scheduled article has none before its time."""
    scheduled = factories.scheduled(session, hours=5)
    secret = factories.make_token(session, "analytics:write")
    response = post(client, secret, {"rows": [row(scheduled.slug, now - timedelta(minutes=1))]})
    assert rejected_rows(response) == {0}
    assert stored_views(session, scheduled.id) == 0


def test_more_than_ten_thousand_rows_is_422(
    client: TestClient, session: Session, now: datetime
) -> None:
    article = factories.article(session, slug="a")
    secret = factories.make_token(session, "analytics:write")
    rows = [row("a", now - timedelta(seconds=i)) for i in range(MAX_ROWS + 1)]
    problem(post(client, secret, {"rows": rows}), 422)
    assert stored_views(session, article.id) == 0


def fill(value: Any, placeholders: dict[str, str]) -> Any:
    """The value with placeholder strings replaced, at any depth."""
    if isinstance(value, dict):
        return {k: fill(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, placeholders) for v in value]
    return placeholders.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"rows": []}, ["body", "rows"]),
        ({}, ["body", "rows"]),
        ({"rows": [{"slug": "SLUG", "viewed_at": "2026-01-01T00:00:00Z"}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "2026-01-01T00:00:00"}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "count": 0}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "count": -5}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "count": 1.5}]}, None),
        # JSON types are not coerced: a count is a number, a time is text.
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "count": "3"}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "count": True}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": 1_767_225_600}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}", "views": 3}]}, None),
        ({"rows": [{"slug": "{slug}", "viewed_at": "{now}"}], "extra": True}, ["body", "extra"]),
    ],
)
def test_malformed_batches_are_422(
    client: TestClient,
    session: Session,
    now: datetime,
    body: Json,
    location: list[str] | None,
) -> None:
    article = factories.article(session)
    secret = factories.make_token(session, "analytics:write")
    response = post(client, secret, fill(body, {"{slug}": article.slug, "{now}": iso(now)}))
    details = problem(response, 422)
    locations = [e["location"] for e in details["errors"]]
    if location is None:
        assert all(loc[:3] == ["body", "rows", 0] for loc in locations), locations
    else:
        assert location in [loc[: len(location)] for loc in locations], locations
    assert stored_views(session, article.id) == 0


def test_views_in_the_current_hour_show_at_once(
    client: TestClient, session: Session, now: datetime
) -> None:
    article = factories.article(session)
    secret = factories.make_token(session, "analytics:write")
    assert post(client, secret, {"rows": [row(article.slug, now, 7)]}).status_code == 200
    assert dict(ranking(client, window="1h")) == {article.id: 7}
