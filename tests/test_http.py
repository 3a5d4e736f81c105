"""HTTP contract shared by every public GET: ETag/304, cache headers, request id, CORS, gzip."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.container import services_of
from app.documents.refs import RefKind
from app.documents.store import rebuild_all, refresh_embedding
from app.models import Person
from tests import factories
from tests.conftest import Clock, own_app_client
from tests.helpers import ok

ETAG = re.compile(r'^"[^"]+"$')


def _every_public_url(session: Session) -> list[str]:
    """One published article showing one of everything, and every URL that serves it."""
    author = factories.person(session)
    speaker = factories.person(session)
    photo = factories.image(session)
    words = factories.quote(session, speaker)
    topic = factories.tag(session)
    art = factories.article(
        session,
        author_ids=[author.id],
        mentions=[{"person_id": speaker.id}],
        tag_ids=[topic.id],
        body=[{"type": "image", "image_id": photo.id}, {"type": "quote", "quote_id": words.id}],
    )
    factories.article(session, tag_ids=[topic.id])
    return [
        "/v1/articles",
        f"/v1/articles/{art.slug}",
        f"/v1/articles/{art.slug}/related",
        "/v1/authors",
        f"/v1/authors/{author.id}",
        f"/v1/authors/{author.id}/articles",
        f"/v1/people/{speaker.id}",
        f"/v1/people/{speaker.id}/quotes",
        f"/v1/people/{speaker.id}/articles",
        f"/v1/images/{photo.id}",
        "/v1/quotes",
        f"/v1/quotes?speaker={speaker.id}",
        f"/v1/quotes/{words.id}",
        "/v1/tags",
        f"/v1/tags/{topic.slug}/articles",
    ]


def test_every_public_get_has_a_strong_etag_and_answers_304(
    client: TestClient, session: Session
) -> None:
    for url in _every_public_url(session):
        first = client.get(url)
        etag = first.headers["etag"]
        assert first.status_code == 200, url
        assert ETAG.match(etag), (url, etag)

        again = client.get(url, headers={"If-None-Match": etag})

        assert again.status_code == 304, url
        assert again.content == b"", url
        assert again.headers["etag"] == etag, url


def test_every_public_get_carries_cache_control_and_surrogate_key(
    client: TestClient, session: Session, app: FastAPI
) -> None:
    settings = services_of(app).settings
    for url in _every_public_url(session):
        response = client.get(url)
        directives = {d.strip() for d in response.headers["cache-control"].split(",")}
        assert directives == {
            "public",
            f"max-age={settings.cache_max_age}",
            f"s-maxage={settings.cache_s_maxage}",
            f"stale-while-revalidate={settings.cache_stale_while_revalidate}",
        }, url
        assert response.headers["surrogate-key"].split(), url


def test_if_none_match_lists_and_weak_forms_match(client: TestClient, session: Session) -> None:
    art = factories.article(session)
    url = f"/v1/articles/{art.slug}"
    etag = client.get(url).headers["etag"]

    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"not-the-etag"'})
    assert stale.status_code == 200
    assert ok(stale)["id"] == art.id


def _author_names(client: TestClient, url: str) -> list[str]:
    return [a["name"] for item in ok(client.get(url))["items"] for a in item["authors"]]


def test_etag_changes_when_an_embedded_person_changes(client: TestClient, session: Session) -> None:
    author = factories.person(session, name="Ada Quill")
    mine = factories.article(session, author_ids=[author.id])
    unrelated = factories.article(session)
    url, other_url = f"/v1/articles/{mine.slug}", f"/v1/articles/{unrelated.slug}"
    before, other_before = client.get(url).headers["etag"], client.get(other_url).headers["etag"]
    card_before = client.get(f"/v1/authors/{author.id}").headers["etag"]

    row = session.get(Person, author.id)
    assert row is not None
    row.name = "Ada Quill-Marsh"
    session.add(row)
    assert row.id is not None
    refresh_embedding(session, RefKind.person, row.id)
    session.commit()

    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before
    assert ok(after)["authors"][0]["name"] == "Ada Quill-Marsh"
    assert _author_names(client, "/v1/articles") == ["Ada Quill-Marsh"]
    card = client.get(f"/v1/authors/{author.id}", headers={"If-None-Match": card_before})
    assert card.status_code == 200
    assert ok(card)["name"] == "Ada Quill-Marsh"
    assert client.get(other_url).headers["etag"] == other_before


def test_rebuilding_documents_leaves_etags_alone(client: TestClient, session: Session) -> None:
    urls = _every_public_url(session)
    etags = {url: client.get(url).headers["etag"] for url in urls}

    rebuild_all(session)
    session.commit()

    for url in urls:
        response = client.get(url, headers={"If-None-Match": etags[url]})
        assert response.status_code == 304, url
        assert response.headers["etag"] == etags[url], url


def test_request_id_is_generated_and_unique(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_safe_request_id_is_echoed_and_unsafe_one_replaced(client: TestClient) -> None:
    echoed = client.get("/v1/articles", headers={"X-Request-ID": "edge-7.abc_123"})
    replaced = client.get("/v1/articles", headers={"X-Request-ID": "bad id\twith spaces"})
    too_long = client.get("/v1/articles", headers={"X-Request-ID": "a" * 65})

    assert echoed.headers["x-request-id"] == "edge-7.abc_123"
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", too_long.headers["x-request-id"])


def test_request_id_reaches_the_error_body(client: TestClient) -> None:
    response = client.get("/v1/articles/no-such-slug", headers={"X-Request-ID": "trace-42"})

    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["request_id"] == "trace-42"


def test_cors_get_with_origin_is_allowed_and_exposes_cache_headers(
    client: TestClient, session: Session
) -> None:
    art = factories.article(session)

    response = client.get(
        f"/v1/articles/{art.slug}", headers={"Origin": "https://frontend.example"}
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in {"*", "https://frontend.example"}
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link", "x-request-id"} <= exposed


def test_cors_preflight_allows_get(client: TestClient) -> None:
    response = client.options(
        "/v1/articles",
        headers={
            "Origin": "https://frontend.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )

    assert response.status_code == 200
    assert "GET" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-origin"] in {"*", "https://frontend.example"}


def _long_article_slug(session: Session) -> str:
    body = [
        {"type": "paragraph", "html": f"Paragraph {i} of a long report on the talks in Geneva."}
        for i in range(60)
    ]
    return factories.article(session, body=body).slug


def test_large_response_is_gzipped_when_asked(client: TestClient, session: Session) -> None:
    slug = _long_article_slug(session)

    response = client.get(f"/v1/articles/{slug}", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) < len(response.content)
    assert len(ok(response)["body"]) == 60


@pytest.mark.parametrize("accept", ["identity", ""])
def test_response_is_not_gzipped_unless_asked(
    client: TestClient, session: Session, accept: str
) -> None:
    slug = _long_article_slug(session)

    response = client.get(f"/v1/articles/{slug}", headers={"Accept-Encoding": accept})

    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)


def test_next_link_uses_the_configured_public_base_url(
    session: Session, database_url: str, clock: Clock, client: TestClient
) -> None:
    for h in (1, 2):
        factories.article(session, published_at=factories.hours_ago(h))
    settings = Settings(
        database_url=database_url, log_level="warning", public_base_url="https://api.news.example"
    )
    with own_app_client(settings, clock=clock) as behind_proxy:
        response = behind_proxy.get("/v1/articles", params={"limit": 1})

    cursor = ok(response)["next_cursor"]
    assert response.headers["link"] == (
        f'<https://api.news.example/v1/articles?limit=1&cursor={cursor}>; rel="next"'
    )


def test_head_answers_like_get_without_a_body(client: TestClient, session: Session) -> None:
    for url in _every_public_url(session):
        get = client.get(url)
        head = client.head(url)

        assert head.status_code == 200, url
        assert head.content == b"", url
        assert head.headers["etag"] == get.headers["etag"], url
        assert head.headers["cache-control"] == get.headers["cache-control"], url
        assert client.head(url, headers={"If-None-Match": get.headers["etag"]}).status_code == 304
