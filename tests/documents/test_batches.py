"""Reads that arrive together share a query; none of them sees data older than its arrival."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from app.documents.batches import Batches
from tests import factories

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


class FakeTable:
    """A table whose reads take a round trip, recording each query it is sent."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.rows = rows
        self.queries: list[tuple[list[str], datetime]] = []
        self.fail_next = False

    async def fetch_many(self, keys: list[str], now: datetime) -> dict[str, Any]:
        self.queries.append((sorted(keys), now))
        # The query reads the table as it is when it is sent...
        snapshot = {key: self.rows[key] for key in keys if key in self.rows}
        await asyncio.sleep(0.01)  # ...and answers a round trip later.
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")
        return snapshot


async def sent(table: FakeTable, queries: int) -> None:
    """Until the table has been sent this many queries."""
    while len(table.queries) < queries:
        await asyncio.sleep(0)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_a_lone_read_is_one_query_of_its_own() -> None:
    table = FakeTable({"a": "A"})
    batches = Batches(table.fetch_many)

    assert run(batches.read("a", T0)) == "A"
    assert table.queries == [(["a"], T0)]


def test_reads_waiting_on_a_query_go_together_in_the_next() -> None:
    table = FakeTable({"a": "A", "b": "B", "c": "C"})
    batches = Batches(table.fetch_many)

    async def scenario() -> list[Any]:
        first = asyncio.create_task(batches.read("a", T0))
        await sent(table, 1)
        later = [batches.read(key, T0 + timedelta(seconds=n)) for n, key in enumerate("bcbz")]
        return [await first, *await asyncio.gather(*later)]

    assert run(scenario()) == ["A", "B", "C", "B", None]
    # One query for the first read, one for the four that waited; the batch is read
    # as of the latest of its requests' times.
    assert table.queries == [(["a"], T0), (["b", "c", "z"], T0 + timedelta(seconds=3))]


def test_a_read_never_gets_a_result_older_than_its_arrival() -> None:
    table = FakeTable({"a": "old"})
    batches = Batches(table.fetch_many)

    async def scenario() -> tuple[Any, Any]:
        before = asyncio.create_task(batches.read("a", T0))
        await sent(table, 1)  # the query is out, with the old row
        table.rows["a"] = "new"  # a write commits elsewhere, then a request arrives
        after = await batches.read("a", T0)
        return await before, after

    assert run(scenario()) == ("old", "new")


def test_a_failed_query_fails_its_batch_and_the_next_one_runs() -> None:
    table = FakeTable({"a": "A", "b": "B"})
    batches = Batches(table.fetch_many)

    async def scenario() -> list[Any]:
        table.fail_next = True
        first = asyncio.gather(batches.read("a", T0), batches.read("b", T0), return_exceptions=True)
        failed = await first
        return [*failed, await batches.read("b", T0)]

    first, second, retried = run(scenario())
    assert isinstance(first, ConnectionError)
    assert isinstance(second, ConnectionError)
    assert retried == "B"


def test_a_cancelled_read_leaves_the_rest_of_its_batch_alone() -> None:
    table = FakeTable({"a": "A", "b": "B"})
    batches = Batches(table.fetch_many)

    async def scenario() -> Any:
        out = asyncio.create_task(batches.read("a", T0))
        await sent(table, 1)
        doomed = asyncio.create_task(batches.read("a", T0))
        kept = asyncio.create_task(batches.read("b", T0))
        await asyncio.sleep(0)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        await out
        return await kept

    assert run(scenario()) == "B"


def test_each_event_loop_has_its_own_queue() -> None:
    table = FakeTable({"a": "A"})
    batches = Batches(table.fetch_many)

    assert [run(batches.read("a", T0)) for _ in range(3)] == ["A", "A", "A"]
    assert len(table.queries) == 3


def test_concurrent_article_requests_each_get_their_own_document(
    app: FastAPI, session: Session
) -> None:
    """On PostgreSQL these share queries; on SQLite each reads inline. Same answers."""
    articles = [factories.article(session) for _ in range(3)]
    factories.article(session, slug="still-a-draft", status="draft")
    slugs = [a.slug for a in articles] * 10 + ["still-a-draft", "no-such-article"]

    async def fetch_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get(f"/v1/articles/{s}") for s in slugs))

    responses = asyncio.run(fetch_all())

    ids = {a.slug: a.id for a in articles}
    for slug, response in zip(slugs, responses, strict=True):
        if slug in ids:
            assert response.status_code == 200
            assert response.json()["id"] == ids[slug]
        else:
            assert response.status_code == 404
