"""Public reads on Byline against a bare FastAPI route sending the same bytes.

One `byline serve` worker with default settings reads the dataset. For each group of
endpoints the bench fetches what Byline sends for the group's GET, starts bench/bare.py
serving exactly those bytes, and measures Byline's endpoints and the bare route in
alternating rounds. The 304 of the article is compared with the bare route sending the
whole article: revalidating should cost no more than the framework's simplest answer.
HEAD is not measured: wrk waits for the body a HEAD response's Content-Length announces.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlmodel import col

from app.db import create_db_engine
from app.models import PublishedArticle
from bench import wrk
from bench.measure import Comparison, Load, Request, Sample, Series, alternate
from bench.process import Server, ServerError, bare_server, byline_server, request

LIMIT = 20
SMALL_DOCUMENT_BYTES = 7_000
DEEP_ROWS = 20_000  # page 1,000 of 20


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """Endpoints compared with one bare route, which sends what `body_path` sends."""

    body_path: str
    endpoints: list[Endpoint]


@dataclass(frozen=True)
class Picks:
    """What the dataset offers to read: found once per run, by SQL and through the API."""

    large_slug: str
    small_slug: str
    visible: int
    deep_rows: int


def pick_documents(database_url: str) -> Picks:
    engine = create_db_engine(database_url)
    pa = PublishedArticle
    visible = col(pa.published_at) <= datetime.now(UTC)
    size = func.length(col(pa.document))
    try:
        with engine.connect() as connection:
            slugs = select(col(pa.slug)).where(visible).limit(1)
            large = connection.execute(slugs.order_by(size.desc(), col(pa.slug))).scalar()
            small = connection.execute(
                slugs.order_by(func.abs(size - SMALL_DOCUMENT_BYTES), col(pa.slug))
            ).scalar()
            count = connection.execute(select(func.count()).where(visible)).scalar_one()
    finally:
        engine.dispose()
    if large is None or small is None:
        raise ServerError("the dataset has no published article")
    # A small dataset has no page 1,000: the deep list then starts half way down.
    return Picks(large, small, count, min(DEEP_ROWS, count // 2))


def _json(server: Server, path: str) -> Any:
    status, _, body = request(server.base_url + path)
    if status != 200:
        raise ServerError(f"GET {path} answered {status}: {body[:300]!r}")
    return orjson.loads(body)


def deep_cursor(server: Server, rows: int) -> str | None:
    """The cursor after `rows` rows of the public list, found by following next_cursor."""
    cursor: str | None = None
    while rows > 0:
        step = min(rows, 100)
        query = f"/v1/articles?limit={step}" + (f"&cursor={cursor}" if cursor else "")
        cursor = _json(server, query)["next_cursor"]
        rows -= step
        if cursor is None:
            return None
    return cursor


def _single(name: str, path: str) -> Group:
    return Group(path, [Endpoint(name, path)])


def groups(server: Server, picks: Picks) -> list[Group]:
    article = f"/v1/articles/{picks.large_slug}"
    status, headers, document = request(server.base_url + article)
    if status != 200:
        raise ServerError(f"GET {article} answered {status}")
    content = orjson.loads(document)
    tag, author = content["tags"][0]["slug"], content["authors"][0]["id"]
    lists = f"/v1/articles?limit={LIMIT}"
    found = [
        Group(
            article,
            [
                Endpoint("article", article),
                Endpoint("304", article, headers={"If-None-Match": headers["etag"]}),
            ],
        ),
        _single("article 7 KB", f"/v1/articles/{picks.small_slug}"),
        _single("list", lists),
        _single("list by tag", f"{lists}&tag={tag}"),
        _single("list by author", f"{lists}&author={author}"),
        _single("author", f"/v1/authors/{author}"),
        _single("related", f"{article}/related"),
        _single("popular", "/v1/popular"),
    ]
    cursor = deep_cursor(server, picks.deep_rows)
    if cursor is not None:
        found.insert(3, _single("list page 1,000", f"{lists}&cursor={cursor}"))
    return found


def _script(directory: Path, endpoint: Endpoint, number: int) -> Path:
    return wrk.write_script(directory / f"read-{number}.lua", headers=endpoint.headers)


def measure_group(
    server: Server,
    group: Group,
    backend: str,
    load: Load,
    directory: Path,
    report: Callable[[Series, Sample], None],
) -> list[Comparison]:
    status, _, body = request(server.base_url + group.body_path)
    if status != 200:
        raise ServerError(f"GET {group.body_path} answered {status}: {body[:300]!r}")
    body_file = directory / "bare-body.json"
    body_file.write_bytes(body)
    with bare_server(directory / "bare.log", body_file) as bare:
        if request(bare.base_url + "/")[2] != body:
            raise ServerError("the bare app does not send the bytes Byline sent")
        ceiling = Series("bare", bare.name, group.body_path)
        pairs = [(ceiling, Request(bare, "/", wrk.write_script(directory / "bare.lua")))]
        for number, endpoint in enumerate(group.endpoints):
            series = Series(endpoint.name, server.name, endpoint.path)
            pairs.append(
                (series, Request(server, endpoint.path, _script(directory, endpoint, number)))
            )
        alternate(pairs, load, report)
    return [Comparison("reads", backend, s.name, s, ceiling) for s, _ in pairs[1:]]


def run(
    database_url: str,
    backend: str,
    load: Load,
    directory: Path,
    report: Callable[[Series, Sample], None],
) -> tuple[Picks, list[Comparison]]:
    picks = pick_documents(database_url)
    comparisons: list[Comparison] = []
    with byline_server(database_url, directory / "byline.log") as server:
        for group in groups(server, picks):
            comparisons.extend(measure_group(server, group, backend, load, directory, report))
    return picks, comparisons
