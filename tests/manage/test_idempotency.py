"""Idempotency-Key on POST: a repeat gets the first response, never a second record."""

from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_token
from tests.helpers import problem
from tests.manage.support import Api, person_body, tag_body

CREATES = 100
COPIES = 3


def test_concurrent_repeats_make_one_record_each(api: Api, app: FastAPI) -> None:
    bodies = [tag_body() for _ in range(CREATES)]
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(COPIES)]

    def send(job: tuple[int, int]) -> tuple[int, httpx.Response]:
        n, copy = job
        response = clients[copy].post(
            "/v1/manage/tags",
            json=bodies[n],
            headers=api.headers(**{"Idempotency-Key": f"create-tag-{n}"}),
        )
        return n, response

    # The copies of one request are next to each other in the queue, so they overlap.
    jobs = [(n, copy) for n in range(CREATES) for copy in range(COPIES)]
    with ThreadPoolExecutor(max_workers=COPIES * 2) as pool:
        results = list(pool.map(send, jobs))

    by_key: dict[int, list[httpx.Response]] = {}
    for n, response in results:
        by_key.setdefault(n, []).append(response)
    ids: set[int] = set()
    for n, responses in by_key.items():
        assert [r.status_code for r in responses] == [201] * COPIES, [r.text for r in responses]
        assert len({r.content for r in responses}) == 1
        assert len({r.headers["etag"] for r in responses}) == 1
        assert len({r.headers["location"] for r in responses}) == 1
        replayed = [r.headers.get("idempotent-replayed") for r in responses]
        assert sorted(replayed, key=str) == sorted(["true"] * (COPIES - 1) + [None], key=str)
        record = responses[0].json()
        assert record["slug"] == bodies[n]["slug"]
        ids.add(record["id"])

    assert len(ids) == CREATES
    listed = [int(str(t["id"])) for page in _pages(api, "/tags") for t in page]
    assert sorted(listed) == sorted(ids)


def _pages(api: Api, path: str) -> list[list[dict[str, object]]]:
    pages = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        body = api.get(path, **params).json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_a_repeat_returns_the_first_response(api: Api) -> None:
    body = person_body(name="Once Only")
    first = api.post("/people", body, **{"Idempotency-Key": "k-1"})
    api.update("people", first.json()["id"], {"name": "Changed Since"})

    repeat = api.post("/people", body, **{"Idempotency-Key": "k-1"})

    assert first.status_code == repeat.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert repeat.headers["idempotent-replayed"] == "true"
    # The first response, byte for byte, even though the record changed since.
    assert repeat.content == first.content
    assert repeat.headers["location"] == first.headers["location"]
    assert repeat.headers["etag"] == first.headers["etag"]
    assert len(api.get("/people").json()["items"]) == 1


def test_same_key_with_a_different_body_is_422(api: Api) -> None:
    first = api.post("/people", person_body(name="First"), **{"Idempotency-Key": "k-2"})

    other = api.post("/people", person_body(name="Second"), **{"Idempotency-Key": "k-2"})
    elsewhere = api.post("/tags", tag_body(), **{"Idempotency-Key": "k-2"})

    assert first.status_code == 201
    for response in (other, elsewhere):
        error = problem(response, 422)["errors"][0]
        assert error["location"] == ["header", "Idempotency-Key"]
    assert [p["name"] for p in api.get("/people").json()["items"]] == ["First"]
    assert api.get("/tags").json()["items"] == []


def test_without_a_key_each_post_creates(api: Api) -> None:
    body = tag_body()
    api.create("tags", {**body, "slug": "one"})
    api.create("tags", {**body, "slug": "two"})

    assert len(api.get("/tags").json()["items"]) == 2


def test_keys_belong_to_their_token(api: Api, client: TestClient, session: Session) -> None:
    other = Api(client, make_token(session, "content:write"))

    mine = api.post("/tags", tag_body(slug="mine"), **{"Idempotency-Key": "shared"})
    theirs = other.post("/tags", tag_body(slug="theirs"), **{"Idempotency-Key": "shared"})

    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_failed_request_does_not_burn_its_key(api: Api) -> None:
    refused = api.post(
        "/quotes",
        {"text": "x", "kind": "direct", "speaker_id": 404404, "said_on": "2026-01-01"},
        **{"Idempotency-Key": "retry-me"},
    )
    problem(refused, 422)
    speaker = api.create("people", person_body())

    retried = api.post(
        "/quotes",
        {"text": "x", "kind": "direct", "speaker_id": speaker["id"], "said_on": "2026-01-01"},
        **{"Idempotency-Key": "retry-me"},
    )

    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
