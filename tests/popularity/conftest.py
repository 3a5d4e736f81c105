"""Redis for the tests of the Redis view store.

The tests use a Redis database of their own (REDIS_TEST_URL, by default database 12
on 127.0.0.1:6379; bench/ uses database 9) and touch only the store's byline:views:*
keys, cleared before and after each test. Where Redis is unreachable the tests that
need it are skipped with the reason, except under CI=true, where that fails.

Two test runs on one machine share that database, so each test holds a Redis lock
while it uses the keys: one run's clearing never empties another's buffer mid-test.
"""

import os
from collections.abc import Iterator

import pytest
import redis

from tests.popularity.support import REDIS_URL

KEYS = "byline:views:*"
RUN_LOCK = "byline-tests:redis"


def clear(client: redis.Redis) -> None:
    for key in list(client.scan_iter(match=KEYS)):
        client.delete(key)


@pytest.fixture
def sync_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        client.close()
        reason = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires Redis)")
        pytest.skip(reason)
    # Held for as long as the longest test that uses Redis could run, then let go.
    try:
        with client.lock(RUN_LOCK, timeout=600, blocking_timeout=900):
            clear(client)
            try:
                yield client
            finally:
                clear(client)
    finally:
        client.close()
