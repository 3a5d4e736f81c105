"""The database goes away under a running `byline serve --workers 2`, and comes back.

Each PostgreSQL test runs a private cluster (tests.pg_cluster) that it stops and starts,
so nothing else on the machine notices. What must hold while it is down: every request
answers within the request timeout, reads and writes alike with 503 problem+json and
Retry-After, never a hang and never a 500; the log has one line per failure and no
traceback; /readyz fails and /healthz does not. After it is back: everything answers
again within seconds without restarting Byline, every acknowledged save and view is in
the database, and no save that failed left anything behind.
"""

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from tests.manage.support import MANAGE, article_body, bearer
from tests.ops.servers import BIN, Served, beacon, editor_token, served, server_environment
from tests.pg_cluster import Cluster, private_cluster
from tests.processes import free_port, run, serving

REQUEST_TIMEOUT = 3.0
# Time for the answer to cross loopback and the client to read it.
SLACK = 1.0
DOWN_SECONDS = 30
RECOVERED_WITHIN = 10
# Small, so that a test run's load shows every limit at work.
LIMITS = {
    "REQUEST_TIMEOUT_SECONDS": str(REQUEST_TIMEOUT),
    "DATABASE_STATEMENT_TIMEOUT_SECONDS": "1",
    "DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
    "DATABASE_POOL_TIMEOUT_SECONDS": "0.5",
}
OUTAGE_TYPES = {
    "urn:byline:problem:database-unavailable",
    "urn:byline:problem:request-timed-out",
}
# The outages' own log lines start with their problem's slug.
OUTAGE_LINE_PREFIXES = tuple(t.rsplit(":", 1)[1] + ":" for t in OUTAGE_TYPES)


@dataclass
class Answer:
    kind: str
    started: float
    seconds: float
    status: int | None  # None: no answer at all (a cut connection)
    problem_type: str | None = None
    retry_after: str | None = None
    slug: str | None = None  # the slug a save asked for

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _answer(kind: str, request: Callable[[], httpx.Response], slug: str | None = None) -> Answer:
    started = time.monotonic()
    try:
        response = request()
    except httpx.HTTPError:
        return Answer(kind, started, time.monotonic() - started, None, slug=slug)
    seconds = time.monotonic() - started
    problem_type = None
    if response.headers.get("content-type") == "application/problem+json":
        problem_type = response.json()["type"]
    return Answer(
        kind,
        started,
        seconds,
        response.status_code,
        problem_type,
        response.headers.get("retry-after"),
        slug,
    )


class Load:
    """A few clients, each sending one kind of request again and again until stopped."""

    def __init__(self, byline: Served, article_slug: str) -> None:
        self.byline = byline
        self.article_slug = article_slug
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(kind,), daemon=True)
            for kind in ("article", "list", "authors", "tags", "save", "beacon")
        ]

    def _request(self, client: httpx.Client, kind: str) -> Answer:
        if kind == "article":
            return _answer(kind, lambda: client.get(f"/v1/articles/{self.article_slug}"))
        if kind == "list":
            return _answer(kind, lambda: client.get("/v1/articles?limit=5"))
        if kind in ("authors", "tags"):
            return _answer(kind, lambda: client.get(f"/v1/{kind}"))
        if kind == "beacon":
            visitor = uuid.uuid4().hex
            return _answer(kind, lambda: beacon(client, self.article_slug, visitor))
        body = article_body(slug=f"fault-{uuid.uuid4().hex[:16]}")
        return _answer(
            kind, lambda: client.post(f"{MANAGE}/articles", json=body), slug=body["slug"]
        )

    def _client(self, kind: str) -> None:
        # A hang would show as an answer later than the request timeout, not as this.
        timeout = REQUEST_TIMEOUT + 10
        with httpx.Client(
            base_url=self.byline.url, headers=bearer(self.byline.token), timeout=timeout
        ) as client:
            while not self._stop.is_set():
                answer = self._request(client, kind)
                with self._lock:
                    self.answers.append(answer)
                time.sleep(0.02)

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT + 15)

    def since(self, moment: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if a.started >= moment]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_cluster() as started:
        yield started


@pytest.fixture
def byline(cluster: Cluster, tmp_path: Path) -> Iterator[Served]:
    name = f"byline_{uuid.uuid4().hex[:12]}"
    url = cluster.create_database(name)
    try:
        with served(url, tmp_path, settings=LIMITS) as server:
            yield server
    finally:
        if not cluster.running():
            cluster.start()
        cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _recovered_after(load: Load, moment: float) -> float | None:
    """Seconds from `moment` until every kind of request answered normally (and kept to:
    none failed after), or None while some kind has not yet."""
    answers = load.since(moment)
    kinds = {a.kind for a in load.answers}
    last_failure = max((a.started + a.seconds for a in answers if not a.ok), default=moment)
    firsts = {}
    for answer in answers:
        if answer.started >= last_failure and answer.kind not in firsts:
            firsts[answer.kind] = answer.started + answer.seconds
    if set(firsts) != kinds:
        return None
    return max(firsts.values()) - moment


def _log_lines(server: Served) -> list[dict[str, object]]:
    lines = []
    for line in server.server.log.read_text().splitlines():
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            entry = {"message": line}
        lines.append(entry if isinstance(entry, dict) else {"message": line})
    return lines


def test_postgresql_stopped_under_load_answers_503_and_recovers(
    byline: Served, cluster: Cluster
) -> None:
    article_id, article_slug = byline.publish_article()
    probes = httpx.Client(base_url=byline.url, timeout=REQUEST_TIMEOUT + 10)

    with Load(byline, article_slug) as load:
        time.sleep(1)
        cluster.stop("fast")
        stopped = time.monotonic()
        time.sleep(2)
        readiness = probes.get("/readyz")
        health = probes.get("/healthz")
        time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - stopped)))
        cluster.start()
        restarted = time.monotonic()
        recovery = None
        while recovery is None and time.monotonic() - restarted < RECOVERED_WITHIN + 2:
            time.sleep(0.2)
            recovery = _recovered_after(load, restarted)
    ready_again = probes.get("/readyz")
    probes.close()

    answers = load.answers
    failed = [a for a in answers if not a.ok]
    unavailable = [a for a in failed if a.status == 503]
    slowest = max(a.seconds for a in answers)
    print(
        f"\n{len(answers)} answers, {len(unavailable)} of them 503 while PostgreSQL was down "
        f"for {restarted - stopped:.1f} s; slowest answer {slowest:.2f} s; "
        f"every kind answered normally {recovery if recovery is None else f'{recovery:.2f}'} s "
        "after the restart"
    )

    assert readiness.status_code == 503
    assert health.status_code == 200
    assert ready_again.status_code == 200
    assert unavailable, "no request met the outage"
    assert {a.kind for a in unavailable} == {a.kind for a in answers}
    assert slowest < REQUEST_TIMEOUT + SLACK
    # Nothing but 503s, each a problem with Retry-After, and only while it was down.
    assert failed == unavailable, {(a.kind, a.status) for a in failed}
    for answer in unavailable:
        assert answer.problem_type in OUTAGE_TYPES, answer
        assert answer.retry_after is not None
        assert int(answer.retry_after) > 0
        assert stopped - REQUEST_TIMEOUT - SLACK <= answer.started <= restarted + RECOVERED_WITHIN
    assert recovery is not None
    assert recovery <= RECOVERED_WITHIN

    log = _log_lines(byline)
    assert not [entry for entry in log if "error" in entry or "Traceback" in str(entry)]
    outage_lines = [e for e in log if str(e["message"]).startswith(OUTAGE_LINE_PREFIXES)]
    assert len(outage_lines) <= len(unavailable)

    saves = [a for a in answers if a.kind == "save"]
    stored = {
        slug
        for (slug,) in byline.query(
            "SELECT slug FROM articles WHERE slug LIKE 'fault-%'",
        )
    }
    saved = {a.slug for a in saves if a.ok}
    assert saved <= stored, "an acknowledged save is missing"
    assert not {a.slug for a in saves if not a.ok} & stored, "a failed save left its row"
    counted = sum(1 for a in answers if a.kind == "beacon" and a.ok)
    assert byline.stored_views(article_id) == counted
    print(f"{len(saved)} saves and {counted} views acknowledged, all stored")


def test_postgresql_restarted_while_idle_serves_the_first_requests(
    byline: Served, cluster: Cluster
) -> None:
    article_id, article_slug = byline.publish_article()
    with byline.editor(timeout=REQUEST_TIMEOUT + 10) as client:
        # Connections open on both workers, on both paths, before the restart.
        for _ in range(8):
            assert client.get(f"/v1/articles/{article_slug}").status_code == 200
            assert client.get("/v1/authors").status_code == 200

        cluster.stop("fast")
        cluster.start()

        first = [
            client.get(f"/v1/articles/{article_slug}"),  # asyncpg, on the edge
            client.get("/v1/articles?limit=5"),
            client.get("/v1/authors"),  # a Session, in a thread
            client.post(f"{MANAGE}/articles", json=article_body()),  # a write
            beacon(client, article_slug, uuid.uuid4().hex),
        ]
        again = [client.get(f"/v1/articles/{article_slug}") for _ in range(4)] + [
            client.get("/v1/authors") for _ in range(4)
        ]
    statuses = [r.status_code for r in first + again]
    print(f"\nfirst {len(statuses)} requests after an idle restart: {statuses}")
    assert all(200 <= status < 300 for status in statuses), [r.text for r in first + again]
    assert byline.stored_views(article_id) == 1


# Root writes any file whatever its mode: the kernel lets it because of CAP_DAC_OVERRIDE.
WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def test_a_read_only_sqlite_file_refuses_writes_with_503_and_keeps_reads(tmp_path: Path) -> None:
    """The database file is made read-only (mode 444) and the server cannot write it.

    As root, file modes are not enough: root passes them by the CAP_DAC_OVERRIDE
    capability. So the server runs without it (`setpriv` drops it from the bounding set,
    which for root is what an exec'd program keeps), and the kernel refuses its writes as
    it would for any account: SQLite opens the file read-only and a write fails with
    "attempt to write a readonly database", a real SQLITE_READONLY. Other accounts get
    the same from the mode alone.
    """
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("as root the test needs setpriv (util-linux) to give up CAP_DAC_OVERRIDE")
    database = tmp_path / "byline.sqlite3"
    port = free_port()
    environment = server_environment(f"sqlite:///{database}", port, LIMITS)
    run(["byline", "migrate"], env=environment, cwd=tmp_path)
    run(["byline", "load-demo"], env=environment, cwd=tmp_path)
    token = editor_token(environment, tmp_path)
    database.chmod(0o444)
    command = [*(WITHOUT_OVERRIDE if os.geteuid() == 0 else []), str(BIN / "byline"), "serve"]
    command += ["--workers", "2"]

    with (
        serving(command, env=environment, cwd=tmp_path, port=port) as server,
        httpx.Client(base_url=server.url, headers=bearer(token), timeout=10) as client,
    ):
        listed = client.get("/v1/articles?limit=3")
        assert listed.status_code == 200
        slug = listed.json()["items"][0]["slug"]
        writes = [
            client.post(f"{MANAGE}/articles", json=article_body()),
            beacon(client, slug, uuid.uuid4().hex),
        ]
        reads = [
            client.get(f"/v1/articles/{slug}"),
            client.get("/v1/articles?limit=3"),
            client.get("/v1/authors"),
            client.get("/readyz"),
        ]
        log = server.log.read_text()

    print(f"\nread-only file: writes {[w.status_code for w in writes]}, "
          f"reads {[r.status_code for r in reads]}")  # fmt: skip
    for write in writes:
        assert write.status_code == 503, write.text
        assert write.headers["content-type"] == "application/problem+json"
        assert write.json()["type"] == "urn:byline:problem:database-unwritable"
        assert int(write.headers["retry-after"]) > 0
    assert [r.status_code for r in reads] == [200] * len(reads)
    assert "Traceback" not in log
    assert log.count("database-unwritable:") == len(writes)
