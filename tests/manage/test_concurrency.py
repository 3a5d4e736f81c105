"""Lost updates: concurrent conflicting PATCHes with If-Match against one article."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import ok
from tests.manage.support import Api, Json, article_body

ROUNDS = 200


def editor(app: FastAPI, secret: str, ident: int, name: str) -> Callable[[], list[Json]]:
    """One client's loop: read the ETag, PATCH the headline with If-Match, record what came back."""

    def run() -> list[Json]:
        api = Api(TestClient(app, raise_server_exceptions=False), secret)
        outcomes: list[Json] = []
        for i in range(ROUNDS):
            etag = api.etag("articles", ident)
            headline = f"{name} edit {i}"
            response = api.patch(f"/articles/{ident}", {"headline": headline}, etag)
            outcome: Json = {"status": response.status_code, "headline": headline}
            if response.status_code == 200:
                record = response.json()
                assert response.headers["etag"] == f'"article-{ident}-v{record["version"]}"'
                outcome |= {"version": record["version"], "echo": record["headline"]}
            elif response.status_code == 412:
                outcome["current"] = response.headers["etag"]
            outcomes.append(outcome)
        return outcomes

    return run


def test_concurrent_conflicting_patches_lose_nothing(api: Api, app: FastAPI) -> None:
    created = api.create("articles", article_body(headline="Start"))
    ident = created["id"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(editor(app, api.secret, ident, name)) for name in ("left", "right")]
        outcomes = [outcome for future in futures for outcome in future.result()]

    statuses = {o["status"] for o in outcomes}
    assert statuses <= {200, 412}, statuses
    assert len(outcomes) == 2 * ROUNDS
    wins = sorted((o for o in outcomes if o["status"] == 200), key=lambda o: o["version"])
    versions = [o["version"] for o in wins]
    # Exactly one success per version: distinct and contiguous from the first write on.
    assert versions == list(range(2, 2 + len(wins)))
    assert all(o["echo"] == o["headline"] for o in wins)
    # Both clients got through sometimes (otherwise nothing was concurrent).
    assert {o["headline"].split()[0] for o in wins} == {"left", "right"}
    for lost in (o for o in outcomes if o["status"] == 412):
        assert lost["current"].startswith(f'"article-{ident}-v')

    final, etag = api.read("articles", ident)
    assert final["version"] == versions[-1]
    assert final["headline"] == wins[-1]["headline"]
    assert etag == f'"article-{ident}-v{versions[-1]}"'
    # Every success is a revision, in order, holding what that client wrote.
    body = ok(api.get(f"/articles/{ident}/revisions", limit=100))
    numbers: list[int] = []
    cursor = body["next_cursor"]
    numbers += [r["number"] for r in body["items"]]
    while cursor is not None:
        body = ok(api.get(f"/articles/{ident}/revisions", limit=100, cursor=cursor))
        numbers += [r["number"] for r in body["items"]]
        cursor = body["next_cursor"]
    assert numbers == list(range(1 + len(wins), 0, -1))
    for win in wins[:: max(1, len(wins) // 10)]:
        revision = ok(api.get(f"/articles/{ident}/revisions/{win['version']}"))
        assert revision["content"]["headline"] == win["headline"]
