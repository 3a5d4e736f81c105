"""The edge's fast path answers a stored article exactly as the full stack's route does."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.container import services_of
from app.documents.refs import surrogate_key
from app.edge import Edge, cors_factory
from app.http import etag_for
from app.main import create_app
from tests import factories
from tests.conftest import Clock, own_app_client

EXPLICIT_ORIGIN = "https://news.example"
# A document over the gzip threshold, so Vary and compression both come into play.
LONG_BODY = [{"type": "paragraph", "html": f"Paragraph {n} of a long article."} for n in range(60)]


def _variants(etag: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("GET", {}),
        ("HEAD", {}),
        ("GET", {"If-None-Match": etag}),
        ("GET", {"If-None-Match": f'W/{etag}, "other"'}),
        ("GET", {"If-None-Match": '"other"'}),
        ("HEAD", {"If-None-Match": etag}),
        ("GET", {"Accept-Encoding": "gzip"}),
        ("HEAD", {"Accept-Encoding": "gzip, br"}),
        ("GET", {"Accept-Encoding": "identity"}),
        ("GET", {"Origin": EXPLICIT_ORIGIN}),
        ("GET", {"Origin": "https://elsewhere.example", "Accept-Encoding": "gzip"}),
        ("GET", {"Origin": EXPLICIT_ORIGIN, "If-None-Match": etag}),
        ("GET", {"X-Request-ID": "not a safe id!"}),
    ]


def _answer(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    # A problem names the request id, fresh for each request unless the caller sent one.
    body = response.content.replace(response.headers["x-request-id"].encode(), b"<id>")
    headers = sorted(
        (name, value)
        for name, value in response.headers.multi_items()
        # A fresh id for each request unless the caller sends a usable one.
        if not (name == "x-request-id" and len(value) == 32)
    )
    return response.status_code, body, headers


@pytest.fixture(params=[["*"], [EXPLICIT_ORIGIN]], ids=["any-origin", "one-origin"])
def both_paths(
    request: pytest.FixtureRequest, app_settings: Settings, clock: Clock
) -> Iterator[tuple[TestClient, TestClient]]:
    settings = app_settings.model_copy(update={"cors_origins": request.param})
    full_stack_only = create_app(settings, clock=clock, fast_reads=False)
    with (
        own_app_client(settings, clock=clock) as fast,
        TestClient(full_stack_only, raise_server_exceptions=False) as full,
    ):
        yield fast, full


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
def test_fast_path_and_full_stack_answer_alike(
    both_paths: tuple[TestClient, TestClient], session: Session, long: bool
) -> None:
    fast, full = both_paths
    fields: dict[str, Any] = {"body": LONG_BODY} if long else {}
    article = factories.article(session, **fields)
    etag = full.get(f"/v1/articles/{article.slug}").headers["etag"]

    for method, headers in _variants(etag):
        sent = {"X-Request-ID": "compare-1", **headers}
        url = f"/v1/articles/{article.slug}"
        expected = _answer(full.request(method, url, headers=sent))
        assert _answer(fast.request(method, url, headers=sent)) == expected, (method, headers)


def _list_queries(session: Session) -> list[str]:
    """Every kind of /v1/articles query string, the plain ones and the ones left to the route."""
    author = factories.person(session, name="A. Writer")
    tagged = factories.tag(session, slug="energy")
    for n in range(5):
        factories.article(
            session,
            published_at=factories.hours_ago(n + 1),
            author_ids=[author.id],
            tag_ids=[tagged.id],
            body=LONG_BODY if n == 0 else [{"type": "paragraph", "html": f"Item {n}."}],
        )
    return [
        "",
        "limit=2",
        "limit=100",
        f"author={author.id}",
        f"author={author.id}&tag=energy&limit=1",
        "tag=energy",
        "tag=no-such-tag",
        "type=news",
        "type=opinion&limit=3",
        "person=2147483647",
        # Left to the route: out of range, malformed, encoded, unknown or repeated.
        "limit=0",
        "limit=101",
        "limit=05",
        "author=0",
        "author=2147483648",
        "tag=Energy",
        "tag=ener%67y",
        "type=gossip",
        "cursor=***",
        "cursor=bm90LWEtY3Vyc29y",
        "published_after=2026-01-01T00:00:00Z",
        "limit=2&limit=3",
        "limit",
        "unknown=1",
        "limit=2&",
    ]


def test_lists_on_the_fast_path_and_the_full_stack_answer_alike(
    both_paths: tuple[TestClient, TestClient], session: Session
) -> None:
    fast, full = both_paths
    queries = _list_queries(session)
    # A cursor the API handed out, which the fast path must honour.
    next_cursor = full.get("/v1/articles?limit=2").json()["next_cursor"]
    queries += [f"limit=2&cursor={next_cursor}", f"cursor={next_cursor}&tag=energy"]
    for query in queries:
        url = f"/v1/articles?{query}" if query else "/v1/articles"
        etag = full.get(url).headers.get("etag", '"none"')
        for method, headers in _variants(etag):
            sent = {"X-Request-ID": "compare-1", **headers}
            expected = _answer(full.request(method, url, headers=sent))
            assert _answer(fast.request(method, url, headers=sent)) == expected, (
                query,
                method,
                headers,
            )


def test_the_fast_path_answers_without_the_full_stack(app: FastAPI, session: Session) -> None:
    async def full_stack(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError(f"the full stack was asked for {scope['path']}")

    services = services_of(app)
    edge = Edge(
        full_stack,
        services=services,
        route_templates={},
        cors=cors_factory(allow_origins=["*"]),
    )
    article = factories.article(session)

    async def outside_fastapi(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app  # where routes find the services, as Byline.__call__ sets it
        await edge(scope, receive, send)

    client = TestClient(outside_fastapi)

    response = client.get(f"/v1/articles/{article.slug}")
    listed = client.get("/v1/articles?limit=1")

    beacon = client.post(f"/v1/articles/{article.slug}/views", content=b"")

    assert beacon.status_code == 202
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [article.id]
    assert response.status_code == 200
    assert response.json()["id"] == article.id
    assert response.headers["etag"] == etag_for(response.content)
    assert article.id is not None
    assert surrogate_key("article", article.id) in response.headers["surrogate-key"].split()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/no-such-article",
        "/v1/articles/Not_A_Slug",
        "/v1/articles/a-slug?unknown=1",
        "/v1/articles/a-slug/related",
    ],
)
def test_what_the_fast_path_cannot_answer_goes_to_the_full_stack(
    client: TestClient, session: Session, path: str
) -> None:
    factories.article(session, slug="a-slug")

    response = client.get(path)

    # The full stack's answers: problems with the request's id, or the related list.
    assert response.headers["x-request-id"]
    if path.endswith("/related"):
        assert response.status_code == 200
    else:
        assert response.status_code in {400, 404, 422}
        assert response.headers["content-type"] == "application/problem+json"


def _beacons(session: Session) -> list[tuple[str, dict[str, str], bytes]]:
    article = factories.article(session)
    url = f"/v1/articles/{article.slug}/views"
    return [
        (url, {}, b""),
        (url, {"Content-Type": "text/plain"}, b'{"visitor_id": "reader-1"}'),
        (url, {"Content-Type": "application/json"}, b'{"visitor_id": "reader-1"}'),
        (url, {}, b"{not json"),
        (url, {}, b'{"visitor_id": 12}'),
        (url, {}, b"x" * 5000),
        (url, {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}, b""),
        (url, {"Origin": EXPLICIT_ORIGIN}, b""),
        (url, {"Origin": "https://elsewhere.example"}, b""),
        ("/v1/articles/no-such-article/views", {}, b""),
        ("/v1/articles/Not_A_Slug/views", {}, b""),
        (f"{url}?unknown=1", {}, b""),
    ]


def test_beacons_on_the_fast_path_and_the_full_stack_answer_alike(
    both_paths: tuple[TestClient, TestClient], session: Session
) -> None:
    fast, full = both_paths
    for url, headers, body in _beacons(session):
        sent = {"X-Request-ID": "compare-1", **headers}
        expected = _answer(full.post(url, headers=sent, content=body))
        assert _answer(fast.post(url, headers=sent, content=body)) == expected, (url, headers)
