"""The per-client rate limit of the management API, and its RateLimit headers."""

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import ratelimit
from app.config import Settings
from app.container import Services
from app.ratelimit import RateLimiter
from tests.conftest import Clock, own_app_client
from tests.factories import make_token
from tests.helpers import problem
from tests.manage.support import Api, bearer, n
from tests.popularity.support import REDIS_URL
from tests.processes import free_port

LIMIT = 5
TAGS = "/v1/manage/tags"


def tag_body() -> dict[str, str]:
    number = n()
    return {"name": f"Limits {number}", "slug": f"limits-{number}", "kind": "topic"}


def quota(response: httpx.Response) -> tuple[int, int, int]:
    """RateLimit-Limit, -Remaining and -Reset of an answer."""
    headers = response.headers
    return (
        int(headers["ratelimit-limit"]),
        int(headers["ratelimit-remaining"]),
        int(headers["ratelimit-reset"]),
    )


def start_of_a_minute(clock: Clock) -> datetime:
    """Pin the app clock one second into the next minute, so a test's requests share a
    window; the next minute, so what the test writes is not in the future."""
    started = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock.pinned = started + timedelta(seconds=1)
    return started


@pytest.fixture
def minute(clock: Clock, replace_services: Callable[..., Services]) -> datetime:
    """The shared app with a management limit of LIMIT a minute, counted in memory."""
    replace_services(manage_rate_limiter=RateLimiter(LIMIT, clock))
    return start_of_a_minute(clock)


@pytest.mark.usefixtures("minute")
def test_every_answer_reports_the_quota_counting_down(api: Api) -> None:
    created = api.post("/tags", tag_body())
    assert created.status_code == 201
    listed = api.get("/tags")
    missing = api.get("/tags/999999")
    invalid = api.post("/tags", {"name": ""})

    assert [r.status_code for r in (created, listed, missing, invalid)] == [201, 200, 404, 422]
    assert [quota(r) for r in (created, listed, missing, invalid)] == [
        (LIMIT, LIMIT - 1, 59),
        (LIMIT, LIMIT - 2, 59),
        (LIMIT, LIMIT - 3, 59),
        (LIMIT, LIMIT - 4, 59),
    ]


@pytest.mark.usefixtures("minute")
def test_over_the_limit_is_429_and_writes_nothing(
    api: Api, client: TestClient, session: Session
) -> None:
    for _ in range(LIMIT):
        assert api.get("/tags").status_code == 200
    body = tag_body()
    refused = api.post("/tags", body)

    problem(refused, 429)
    assert refused.json()["type"] == "urn:byline:problem:rate-limited"
    assert quota(refused) == (LIMIT, 0, 59)
    assert refused.headers["retry-after"] == "59"
    assert refused.headers["cache-control"] == "no-store"
    reader = make_token(session, "content:read")
    slugs = [tag["slug"] for tag in client.get(TAGS, headers=bearer(reader)).json()["items"]]
    assert body["slug"] not in slugs


@pytest.mark.usefixtures("minute")
def test_each_token_has_a_budget_of_its_own(api: Api, client: TestClient, session: Session) -> None:
    for _ in range(LIMIT):
        api.get("/tags")
    problem(api.get("/tags"), 429)

    other = Api(client, make_token(session, "content:write"))
    created = other.post("/tags", tag_body())

    assert created.status_code == 201
    assert quota(created)[1] == LIMIT - 1


@pytest.mark.usefixtures("minute")
def test_requests_without_a_valid_token_count_against_their_address(
    api: Api, client: TestClient
) -> None:
    attempts = [
        client.get(TAGS),
        client.get(TAGS, headers=bearer("byl_guessed")),
        client.post(TAGS, json=tag_body(), headers=bearer("byl_guessed")),
    ]
    assert [r.status_code for r in attempts] == [401, 401, 401]
    assert [quota(r)[1] for r in attempts] == [LIMIT - 1, LIMIT - 2, LIMIT - 3]
    for _ in range(LIMIT - len(attempts)):
        problem(client.get(TAGS), 401)

    refused = client.get(TAGS, headers=bearer("byl_another_guess"))
    problem(refused, 429)
    assert "www-authenticate" not in refused.headers
    # A valid token from the same address is a client of its own.
    assert quota(api.get("/tags"))[1] == LIMIT - 1


def test_a_token_without_the_scope_counts_against_the_address(
    minute: datetime, client: TestClient, session: Session
) -> None:
    reader = bearer(make_token(session, "content:read"))
    forbidden = client.post(TAGS, json=tag_body(), headers=reader)

    problem(forbidden, 403)
    assert quota(forbidden)[1] == LIMIT - 1
    assert quota(client.get(TAGS))[1] == LIMIT - 2
    assert quota(client.get(TAGS, headers=reader))[1] == LIMIT - 1


def test_the_window_is_a_minute_of_the_app_clock(minute: datetime, api: Api, clock: Clock) -> None:
    for _ in range(LIMIT):
        api.get("/tags")
    clock.pinned = minute + timedelta(seconds=41)
    refused = api.get("/tags")
    problem(refused, 429)
    assert quota(refused) == (LIMIT, 0, 19)
    assert refused.headers["retry-after"] == "19"

    clock.pinned = minute + timedelta(seconds=60)
    admitted = api.get("/tags")
    assert admitted.status_code == 200
    assert quota(admitted) == (LIMIT, LIMIT - 1, 60)


def test_no_limit_no_headers(api: Api) -> None:
    """The shared app of the tests turns the limit off, as 0 does for an operator."""
    response = api.get("/tags")
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("ratelimit-")]


@pytest.mark.usefixtures("minute")
def test_public_reads_are_not_limited(client: TestClient) -> None:
    for _ in range(LIMIT + 1):
        assert client.get("/v1/tags").status_code == 200
    assert "ratelimit-limit" not in client.get("/v1/tags").headers


@pytest.fixture
def redis_prefix(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A key prefix of this test's own in the tests' Redis database, its keys deleted after."""
    scratch = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        scratch.ping()
    except redis.ConnectionError as exc:
        scratch.close()
        reason = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires Redis)")
        pytest.skip(reason)
    prefix = f"byline-test:{uuid.uuid4().hex[:12]}:"
    monkeypatch.setattr(ratelimit, "REDIS_KEY_PREFIX", prefix)
    yield prefix
    keys = list(scratch.scan_iter(match=f"{prefix}*"))
    if keys:
        scratch.delete(*keys)
    scratch.close()


def limited_settings(database_url: str, redis_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        log_level="warning",
        manage_requests_per_minute_per_client=LIMIT,
        manage_rate_limit_store="redis",
        redis_url=redis_url,
    )


def test_workers_share_the_limit_in_redis(
    redis_prefix: str, database_url: str, session: Session, clock: Clock
) -> None:
    """Two apps, as two workers of one server, sharing their counts through Redis."""
    start_of_a_minute(clock)
    token = bearer(make_token(session, "content:write"))
    settings = limited_settings(database_url, REDIS_URL)
    with (
        own_app_client(settings, clock=clock) as first,
        own_app_client(settings, clock=clock) as second,
    ):
        answers = [(first, second)[i % 2].get(TAGS, headers=token) for i in range(LIMIT)]
        assert [quota(r)[1] for r in answers] == list(range(LIMIT - 1, -1, -1))
        problem(first.get(TAGS, headers=token), 429)
        refused = second.post(TAGS, json=tag_body(), headers=token)
        problem(refused, 429)
    assert refused.headers["retry-after"] == "59"
    # One count, of the token in this minute, with every request of both apps in it.
    scratch = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    counts = [scratch.get(key) for key in scratch.scan_iter(f"{redis_prefix}*")]
    scratch.close()
    assert counts == [str(LIMIT + 2)]


def test_unreachable_redis_lets_requests_through(
    database_url: str,
    session: Session,
    clock: Clock,
    capfd: pytest.CaptureFixture[str],
) -> None:
    start_of_a_minute(clock)
    token = bearer(make_token(session, "content:write"))
    settings = limited_settings(database_url, f"redis://127.0.0.1:{free_port()}/0")
    with own_app_client(settings, clock=clock) as client:
        answers = [client.get(TAGS, headers=token) for _ in range(LIMIT + 2)]
        created = client.post(TAGS, json=tag_body(), headers=token)

    assert [r.status_code for r in answers] == [200] * (LIMIT + 2)
    assert created.status_code == 201
    assert "ratelimit-limit" not in created.headers
    # One line for the outage, not one per request.
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    outage = [line["message"] for line in lines if line["logger"] == "byline.ratelimit"]
    assert len(outage) == 1
    assert "Redis is unreachable" in outage[0]


def test_a_redis_that_never_answers_delays_no_request_for_long(
    database_url: str, session: Session, clock: Clock
) -> None:
    """A Redis that accepts connections and then says nothing (hung, or a black hole)."""
    start_of_a_minute(clock)
    token = bearer(make_token(session, "content:write"))
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        settings = limited_settings(database_url, f"redis://127.0.0.1:{port}/0")
        with own_app_client(settings, clock=clock) as client:
            started = time.monotonic()
            answers = [client.get(TAGS, headers=token) for _ in range(3)]
            elapsed = time.monotonic() - started

    assert [r.status_code for r in answers] == [200, 200, 200]
    # One try with one retry, each bounded by the client's timeout; then Redis is left alone.
    assert elapsed < 4 * ratelimit.REDIS_TIMEOUT_SECONDS + 1
