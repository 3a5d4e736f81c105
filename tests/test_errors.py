"""Every error is application/problem+json with type, title, status, detail and the request id."""

import base64
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
import psycopg
import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.documents.driver import DatabaseUnreachable
from app.errors import AppError, database_outage, last_resort, outage_line
from tests import factories
from tests.conftest import own_app_client
from tests.helpers import ok, problem

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


def _list_urls(session: Session) -> list[str]:
    """Every paged list, each with enough published data to reach its cursor handling."""
    author = factories.person(session)
    speaker = factories.person(session)
    words = factories.quote(session, speaker)
    topic = factories.tag(session)
    factories.article(
        session,
        author_ids=[author.id],
        mentions=[{"person_id": speaker.id}],
        tag_ids=[topic.id],
        body=[{"type": "quote", "quote_id": words.id}],
    )
    return [
        "/v1/articles",
        "/v1/authors",
        f"/v1/authors/{author.id}/articles",
        f"/v1/people/{speaker.id}/quotes",
        f"/v1/people/{speaker.id}/articles",
        "/v1/quotes",
        "/v1/tags",
        f"/v1/tags/{topic.slug}/articles",
    ]


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "url",
    [
        "/v1/articles/no-such-article",
        "/v1/articles/no-such-article/related",
        "/v1/authors/424242",
        "/v1/authors/424242/articles",
        "/v1/people/424242",
        "/v1/people/424242/quotes",
        "/v1/people/424242/articles",
        "/v1/images/424242",
        "/v1/quotes/424242",
        "/v1/tags/no-such-tag/articles",
    ],
)
def test_unknown_slug_or_id_is_404(client: TestClient, url: str) -> None:
    body = problem(client.get(url), 404)

    assert body["type"] == "urn:byline:problem:not-found"
    assert body["instance"] == url


@pytest.mark.parametrize("url", ["/v1/nothing-here", "/nothing", "/v2/articles"])
def test_unknown_route_is_404(client: TestClient, url: str) -> None:
    body = problem(client.get(url), 404)

    assert url in body["detail"]


@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT", "PATCH"])
def test_wrong_method_is_405(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/articles")

    problem(response, 405)
    assert "GET" in response.headers["allow"]


MALFORMED_CURSORS = {
    "garbage": "not-a-cursor",
    "punctuation": "!!!",
    "non-ascii": "é",
    "empty-list": _cursor([]),
    "object": base64.urlsafe_b64encode(b'{"a": 1}').decode(),
    "float": _cursor([1.5]),
    "too-long": _cursor([1, 2, 3]),
    "booleans": _cursor([True, True]),
    "nulls": _cursor([None, None]),
}


@pytest.mark.parametrize("cursor", MALFORMED_CURSORS.values(), ids=MALFORMED_CURSORS.keys())
def test_malformed_cursor_is_400_on_every_list(
    client: TestClient, session: Session, cursor: str
) -> None:
    for url in _list_urls(session):
        body = problem(client.get(url, params={"cursor": cursor}), 400)
        assert body["type"] == "urn:byline:problem:invalid-cursor", url


def test_cursor_of_another_list_is_400(client: TestClient, session: Session) -> None:
    for h in (1, 2):
        factories.article(session, published_at=factories.hours_ago(h))
    article_cursor = ok(client.get("/v1/articles", params={"limit": 1}))["next_cursor"]
    tag_cursor = _cursor(["diplomacy"])

    problem(client.get("/v1/tags", params={"cursor": article_cursor}), 400)
    problem(client.get("/v1/articles", params={"cursor": tag_cursor}), 400)


def test_cursor_datetime_without_zone_is_400(client: TestClient) -> None:
    response = client.get("/v1/articles", params={"cursor": _cursor(["2026-11-01T00:00:00", 1])})

    problem(response, 400)


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        pytest.param("/v1/articles", _cursor(["2026-11-01T00:00:00+00:00", 2**63]), id="articles"),
        pytest.param("/v1/quotes", _cursor(["2026-11-01", 2**63]), id="quotes"),
        pytest.param("/v1/authors", _cursor(["Name", 2**63]), id="authors"),
    ],
)
def test_cursor_with_an_id_out_of_range_is_400(
    client: TestClient, session: Session, path: str, cursor: str
) -> None:
    factories.article(session, author_ids=[factories.person(session).id])

    problem(client.get(path, params={"cursor": cursor}), 400)


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        pytest.param("/v1/authors", _cursor(["Na\u0000me", 1]), id="authors"),
        pytest.param("/v1/tags", _cursor(["topic\u0000"]), id="tags"),
    ],
)
def test_cursor_with_a_nul_character_is_never_a_server_error(
    client: TestClient, session: Session, path: str, cursor: str
) -> None:
    factories.article(session, author_ids=[factories.person(session).id])

    response = client.get(path, params={"cursor": cursor})

    # SQLite can hold NUL in text, PostgreSQL cannot: either answer is fine, a 500 is not.
    if response.status_code != 200:
        problem(response, 400)


def test_unknown_query_parameter_is_400_everywhere(client: TestClient, session: Session) -> None:
    urls = [*_list_urls(session), "/v1/articles/whatever", "/v1/images/1", "/v1/quotes/1"]
    for url in urls:
        body = problem(client.get(url, params={"sort": "oldest"}), 400)
        assert body["type"] == "urn:byline:problem:unknown-query-parameter", url
        assert "sort" in body["detail"], url


def test_unknown_query_parameter_changes_nothing_about_known_ones(client: TestClient) -> None:
    body = problem(client.get("/v1/articles", params={"limit": 5, "page": 2}), 400)

    assert "page" in body["detail"]
    assert "limit" not in body["detail"].split("Allowed")[0]


@pytest.mark.parametrize("limit", ["0", "-1", "101", "1000", "ten", "1.5"])
def test_limit_out_of_range_is_422_naming_the_parameter(
    client: TestClient, session: Session, limit: str
) -> None:
    for url in _list_urls(session):
        body = problem(client.get(url, params={"limit": limit}), 422)
        assert body["type"] == "urn:byline:problem:validation-error", url
        assert [e["location"] for e in body["errors"]] == [["query", "limit"]], url
        assert "limit" in body["detail"], url


def test_related_limit_is_bounded(client: TestClient, session: Session) -> None:
    art = factories.article(session)

    for limit in ("0", "21"):
        body = problem(client.get(f"/v1/articles/{art.slug}/related", params={"limit": limit}), 422)
        assert [e["location"] for e in body["errors"]] == [["query", "limit"]]


@pytest.mark.parametrize("name", ["published_after", "published_before"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "2026-11-31", ""])
def test_bad_date_is_422_naming_the_parameter(client: TestClient, name: str, value: str) -> None:
    body = problem(client.get("/v1/articles", params={name: value}), 422)

    assert [e["location"] for e in body["errors"]] == [["query", name]]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"type": "blog"}, ["query", "type"]),
        ({"author": "0"}, ["query", "author"]),
        ({"author": "ada"}, ["query", "author"]),
        ({"person": "-3"}, ["query", "person"]),
        ({"tag": "Not A Slug"}, ["query", "tag"]),
        ({"cursor": "x" * 513}, ["query", "cursor"]),
    ],
)
def test_bad_filter_is_422_naming_the_parameter(
    client: TestClient, params: dict[str, str], location: list[str]
) -> None:
    body = problem(client.get("/v1/articles", params=params), 422)

    assert [e["location"] for e in body["errors"]] == [location]


def test_every_invalid_parameter_is_named(client: TestClient) -> None:
    params = {"limit": "0", "published_after": "soon", "type": "blog"}

    body = problem(client.get("/v1/articles", params=params), 422)

    locations = sorted(tuple(e["location"]) for e in body["errors"])
    assert locations == [("query", "limit"), ("query", "published_after"), ("query", "type")]
    assert all(e["message"] and e["type"] for e in body["errors"])


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/v1/people/abc", ["path", "person_id"]),
        ("/v1/authors/0", ["path", "author_id"]),
        ("/v1/images/99999999999", ["path", "image_id"]),
        ("/v1/quotes/-1", ["path", "quote_id"]),
        ("/v1/tags/Bad_Slug/articles", ["path", "slug"]),
    ],
)
def test_bad_path_parameter_is_422_naming_it(
    client: TestClient, url: str, location: list[str]
) -> None:
    body = problem(client.get(url), 422)

    assert [e["location"] for e in body["errors"]] == [location]


async def _raise(*args: object, **kwargs: object) -> None:
    raise RuntimeError("secret internals: password=hunter2")


def test_unhandled_exception_is_500_problem_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list read both the edge's fast path and the route use.
    monkeypatch.setattr("app.documents.summaries.SummaryReader.page", _raise)

    response = client.get("/v1/articles", headers={"X-Request-ID": "crash-1"})

    body = problem(response, 500)
    assert body["request_id"] == "crash-1"
    assert response.headers["x-request-id"] == "crash-1"
    assert "Traceback" not in response.text
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text


def test_unhandled_exception_is_readable_by_a_browser_frontend(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list read both the edge's fast path and the route use.
    monkeypatch.setattr("app.documents.summaries.SummaryReader.page", _raise)

    response = client.get("/v1/articles", headers={"Origin": "https://frontend.example"})

    problem(response, 500)
    # Without CORS headers the browser hides the body and the request id from the page.
    assert response.headers.get("access-control-allow-origin") in {"*", "https://frontend.example"}


@pytest.fixture
def broken_client() -> Iterator[TestClient]:
    """A throwaway app whose database never answers."""
    with own_app_client(
        Settings(database_url=UNREACHABLE_DATABASE, log_level="critical")
    ) as client:
        yield client


@pytest.mark.parametrize(
    # The list on the edge's fast path (asyncpg); an author on a Session route and the
    # token lookup of the management API (psycopg).
    "url",
    ["/v1/articles", "/v1/authors/1", "/v1/manage/articles"],
)
def test_an_unreachable_database_is_503_with_retry_after(
    broken_client: TestClient, url: str
) -> None:
    response = broken_client.get(url, headers={"Authorization": "Bearer byl_whatever"})

    body = problem(response, 503)
    assert body["type"] == "urn:byline:problem:database-unavailable"
    assert int(response.headers["retry-after"]) > 0
    assert body["request_id"]
    assert "Traceback" not in response.text
    assert "psycopg" not in response.text
    assert "127.0.0.1" not in response.text


def test_readiness_fails_when_the_database_does_not_answer(broken_client: TestClient) -> None:
    body = problem(broken_client.get("/readyz"), 503)

    assert body["type"] == "urn:byline:problem:database-unavailable"
    assert ok(broken_client.get("/healthz")) == {"status": "ok"}


PROBLEM_TYPE = re.compile(r"^urn:byline:problem:[a-z]+(?:-[a-z]+)*$")


@pytest.mark.parametrize(
    ("method", "url", "status", "slug"),
    [
        ("GET", "/v1/nothing-here", 404, "not-found"),
        ("GET", "/v1/articles/no-such-article", 404, "not-found"),
        ("DELETE", "/v1/articles", 405, "method-not-allowed"),
        ("POST", "/openapi.json", 405, "method-not-allowed"),
        ("GET", "/v1/articles?sort=oldest", 400, "unknown-query-parameter"),
        ("GET", "/v1/articles?limit=0", 422, "validation-error"),
        ("GET", "/v1/manage/articles", 401, "unauthorized"),
    ],
)
def test_every_problem_type_is_a_byline_urn(
    client: TestClient, method: str, url: str, status: int, slug: str
) -> None:
    body = problem(client.request(method, url), status)

    assert PROBLEM_TYPE.match(body["type"]), body["type"]
    assert body["type"] == f"urn:byline:problem:{slug}"


def test_unhandled_exception_has_the_internal_error_type(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list read both the edge's fast path and the route use.
    monkeypatch.setattr("app.documents.summaries.SummaryReader.page", _raise)

    body = problem(client.get("/v1/articles"), 500)

    assert body["type"] == "urn:byline:problem:internal-error"


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("DELETE", "/v1/articles", "GET, HEAD"),
        ("DELETE", "/v1/manage/tags", "GET, HEAD, POST"),
        ("POST", "/v1/manage/tags/7", "DELETE, GET, HEAD, PATCH, PUT"),
        ("GET", "/v1/manage/articles/7/publish", "POST"),
        ("PUT", "/v1/views:batch", "POST"),
        # Served, but not part of the API document.
        ("POST", "/openapi.json", "GET, HEAD"),
        ("DELETE", "/docs", "GET, HEAD"),
    ],
)
def test_allow_of_a_405_comes_from_the_route_table(
    app: FastAPI,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    url: str,
    allow: str,
) -> None:
    def no_document() -> dict[str, Any]:
        raise AssertionError("a 405 must not build the OpenAPI document")

    monkeypatch.setattr(app, "openapi", no_document)

    response = client.request(method, url)

    problem(response, 405)
    assert response.headers["allow"] == allow
    assert method not in allow.split(", ")


def _documented_problem_types() -> dict[str, int]:
    """The README's table of problem types: {type: status}."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^ *\| `(urn:byline:problem:[a-z-]+)` \| (\d{3}) \|", readme, re.MULTILINE)
    return {problem_type: int(status) for problem_type, status in rows}


def _error_classes(base: type[AppError]) -> list[type[AppError]]:
    found = [base]
    for sub in base.__subclasses__():
        found += _error_classes(sub)
    return found


def test_the_readme_lists_every_problem_type_with_its_status() -> None:
    in_code = {f"urn:byline:problem:{e.slug}": int(e.status) for e in _error_classes(AppError)}
    # Raised outside the domain errors: by routing, by the body size limit, and by request
    # validation for a rule between fields.
    in_code |= {
        "urn:byline:problem:method-not-allowed": 405,
        "urn:byline:problem:payload-too-large": 413,
        "urn:byline:problem:content-rule": 422,
    }

    assert _documented_problem_types() == in_code


def _sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


def _wrapped(error: Exception) -> sqlalchemy.exc.DBAPIError:
    """As SQLAlchemy raises a driver's error."""
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, error)


def _caused(error: Exception) -> Exception:
    """As a batch of writes reports the failure of its one write."""
    failure = RuntimeError("a batch of 3 was not written")
    failure.__cause__ = error
    return failure


@pytest.mark.parametrize(
    ("error", "slug"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "database-unavailable"),
        (DatabaseUnreachable("PostgreSQL at db did not answer"), "database-unavailable"),
        (sqlalchemy.exc.TimeoutError("QueuePool limit reached"), "database-unavailable"),
        (_wrapped(psycopg.OperationalError("connection failed")), "database-unavailable"),
        (_wrapped(psycopg.errors.AdminShutdown("terminating")), "database-unavailable"),
        (_wrapped(psycopg.errors.QueryCanceled("statement timeout")), "database-unavailable"),
        (_wrapped(psycopg.errors.CannotConnectNow("starting up")), "database-unavailable"),
        (_wrapped(psycopg.errors.ReadOnlySqlTransaction("read-only")), "database-unwritable"),
        (_wrapped(psycopg.errors.DiskFull("no space")), "database-unwritable"),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed"), "database-unavailable"),
        (asyncpg.exceptions.AdminShutdownError("terminating"), "database-unavailable"),
        (asyncpg.exceptions.QueryCanceledError("statement timeout"), "database-unavailable"),
        (_wrapped(_sqlite_error(sqlite3.SQLITE_FULL, "database or disk is full")),
         "database-unwritable"),
        (_wrapped(_sqlite_error(sqlite3.SQLITE_READONLY, "attempt to write a readonly database")),
         "database-unwritable"),
        (_wrapped(_sqlite_error(778, "disk I/O error")), "database-unwritable"),  # IOERR_WRITE
        (_wrapped(_sqlite_error(sqlite3.SQLITE_BUSY, "database is locked")),
         "database-unavailable"),
        (_caused(_wrapped(psycopg.OperationalError("connection lost"))), "database-unavailable"),
    ],
)  # fmt: skip
def test_database_outages_are_503(error: Exception, slug: str) -> None:
    outage = database_outage(error)

    assert outage is not None
    assert (outage.status, outage.slug) == (503, slug)
    assert int(outage.headers["Retry-After"]) > 0
    line = outage_line(outage)
    assert line.startswith(f"{slug}: ")
    assert "\n" not in line


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("a bug"),
        KeyError("a bug"),
        _wrapped(psycopg.errors.UniqueViolation("duplicate key")),
        _wrapped(psycopg.errors.UndefinedTable("no such relation")),
        _wrapped(_sqlite_error(sqlite3.SQLITE_ERROR, "no such table: articles")),
        _wrapped(_sqlite_error(sqlite3.SQLITE_CONSTRAINT, "UNIQUE constraint failed")),
        asyncpg.exceptions.UndefinedColumnError("no such column"),
    ],
)
def test_bugs_are_not_outages(error: Exception) -> None:
    assert database_outage(error) is None
    assert last_resort(error).status == 500


def test_a_write_to_a_read_only_sqlite_file_is_an_outage(tmp_path: Path) -> None:
    """The real error sqlite3 raises, not one made up: a file opened read-only."""
    path = tmp_path / "news.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            reader.execute("INSERT INTO t VALUES (1)")
    finally:
        reader.close()

    outage = database_outage(raised.value)
    assert outage is not None
    assert outage.slug == "database-unwritable"
