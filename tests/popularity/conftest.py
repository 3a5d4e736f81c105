"""Redis for the tests of the Redis view store.

The tests use a Redis database of their own (REDIS_TEST_URL, by default database 12
on 127.0.0.1:6379; bench/ uses database 9) and touch only the store's byline:views:*
keys, cleared before and after each test. Where Redis is unreachable the tests that
need it are skipped with the reason, except under CI=true, where that fails.
"""

import os
from collections.abc import Iterator

import pytest
import redis

from tests.popularity.support import REDIS_URL

KEYS = "byline:views:*"


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
    clear(client)
    try:
        yield client
    finally:
        clear(client)
        client.close()
