"""Public reads from a streaming replica; writes, editors and tokens on the primary.

The primary is a private cluster this module starts (tests/pg_cluster.py), not the
machine's PostgreSQL: that server allows no replication connections in its
pg_hba.conf, and it serves every other test, so it is never reconfigured. The
replica is a `pg_basebackup -R` of the private primary, as an operator makes one.
Pausing the replica's replay (`pg_wal_replay_pause()`) stands in for lag: whatever
the primary commits meanwhile is out of the replica's sight until replay resumes.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.container import services_of
from app.migrate import upgrade
from tests.conftest import own_app_client
from tests.factories import make_token
from tests.helpers import items, ok, problem, slugs
from tests.manage.support import Api, Json, article_body
from tests.pg_cluster import Cluster, private_cluster, private_replica

DATABASE = "byline"
CATCH_UP_SECONDS = 10


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    with private_cluster() as primary:
        upgrade(primary.create_database(DATABASE))
        with private_replica(primary) as replica:
            yield primary, replica


@pytest.fixture(scope="module")
def client(clusters: tuple[Cluster, Cluster]) -> Iterator[TestClient]:
    primary, replica = clusters
    settings = Settings(
        database_url=primary.url(DATABASE),
        database_read_url=replica.url(DATABASE),
        log_level="critical",
        views_per_minute_per_client=0,
        popular_cache_seconds=0,
    )
    with own_app_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def primary(clusters: tuple[Cluster, Cluster]) -> Cluster:
    return clusters[0]


@pytest.fixture(scope="module")
def replica(clusters: tuple[Cluster, Cluster]) -> Cluster:
    return clusters[1]


def editor(client: TestClient) -> Api:
    """An editor whose token is committed on the primary just now."""
    with Session(services_of(client.app).engine) as session:  # type: ignore[arg-type]
        return Api(client, make_token(session, "content:write", "content:publish"))


@contextmanager
def replay_paused(replica: Cluster, primary: Cluster) -> Iterator[None]:
    """The replica stops applying what the primary writes; afterwards it catches up."""
    replica.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")
        replica.wait_for_replay(primary, CATCH_UP_SECONDS)


def published_article(api: Api) -> Json:
    record = api.create("articles", article_body())
    api.publish(record["id"])
    return record


def test_public_reads_are_served_by_the_replica_and_writes_reach_it(
    client: TestClient, primary: Cluster, replica: Cluster
) -> None:
    api = editor(client)
    with replay_paused(replica, primary):
        article = published_article(api)
        slug = article["slug"]

        problem(client.get(f"/v1/articles/{slug}"), 404)
        assert slug not in slugs(client.get("/v1/articles"))

    # Replayed: the same requests now find what the editor published on the primary.
    assert ok(client.get(f"/v1/articles/{slug}"))["slug"] == slug
    assert slug in slugs(client.get("/v1/articles"))


def most_read(client: TestClient) -> dict[str, int]:
    page = ok(client.get("/v1/popular", params={"window": "1h"}))
    return {item["slug"]: item["views"] for item in page["items"]}


def test_page_views_are_written_to_the_primary_and_ranked_from_the_replica(
    client: TestClient, primary: Cluster, replica: Cluster
) -> None:
    slug = published_article(editor(client))["slug"]
    replica.wait_for_replay(primary, CATCH_UP_SECONDS)

    with replay_paused(replica, primary):
        # The replica is read-only: a view written there would fail, not answer 202.
        assert client.post(f"/v1/articles/{slug}/views").status_code == 202
        assert slug not in most_read(client)

    assert most_read(client)[slug] == 1


def test_an_editor_reads_their_own_saves_while_the_replica_lags(
    client: TestClient, primary: Cluster, replica: Cluster
) -> None:
    with replay_paused(replica, primary):
        # A token made during the lag authenticates at once: tokens are read on the primary.
        api = editor(client)
        created = api.create("articles", article_body(headline="First take"))
        ident = created["id"]

        record, etag = api.read("articles", ident)
        assert record["headline"] == "First take"
        assert ident in [item["id"] for item in items(api.get("/articles"))]

        patched = api.patch(f"/articles/{ident}", {"headline": "Second take"}, etag)
        assert patched.status_code == 200, patched.text
        record, new_etag = api.read("articles", ident)
        assert record["headline"] == "Second take"
        assert new_etag == patched.headers["etag"] != etag
        assert api.patch(f"/articles/{ident}", {"headline": "Lost"}, etag).status_code == 412

        api.publish(ident)
        assert api.read("articles", ident)[0]["status"] == "published"
        # Readers see it only once the replica has replayed the publish.
        problem(client.get(f"/v1/articles/{created['slug']}"), 404)

    assert ok(client.get(f"/v1/articles/{created['slug']}"))["headline"] == "Second take"


def readiness(client: TestClient) -> dict[str, object]:
    body: dict[str, object] = ok(client.get("/readyz"))
    assert body["status"] == "ready"
    assert body["databases"] == {"primary": "ready", "replica": "ready"}
    return body


def test_readiness_reports_the_replicas_replay_lag(
    client: TestClient, primary: Cluster, replica: Cluster
) -> None:
    api = editor(client)
    with replay_paused(replica, primary):
        api.create("articles", article_body())
        waited = 0.3
        time.sleep(waited)
        lag = readiness(client)["replica_lag_seconds"]
        assert isinstance(lag, float)
        assert lag >= waited

    # Caught up: nothing received is left to replay. (Polled: the primary may write
    # a little WAL of its own, such as a checkpoint, at any moment.)
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while readiness(client)["replica_lag_seconds"] != 0:
        assert time.monotonic() < deadline, "the replica never reported catching up"
        time.sleep(0.05)


def test_readiness_fails_naming_the_replica_when_it_is_down(
    client: TestClient, primary: Cluster, replica: Cluster
) -> None:
    api = editor(client)
    replica.stop()
    try:
        response = client.get("/readyz")
        body = problem(response, 503)
        assert body["type"] == "urn:byline:problem:database-unavailable"
        assert int(response.headers["retry-after"]) > 0
        assert body["detail"] == "The replica database did not answer."
        assert ok(client.get("/healthz")) == {"status": "ok"}
        # Editors work on the primary meanwhile.
        api.create("articles", article_body())
    finally:
        replica.start()
    readiness(client)
