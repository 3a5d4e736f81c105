"""`byline bench-data`: a generated newsroom that readers get through the API as the app made it."""

import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app.articles.writes import LINK_TABLES
from app.cli import main
from app.db import create_db_engine
from app.demo.bench_data import (
    MAX_ARTICLES,
    SECTIONS,
    Sizes,
    generate,
    person_names,
    place_names,
    slugify,
    topic_names,
)
from app.migrate import upgrade
from app.models import PublishedArticle
from tests.conftest import postgres_schema
from tests.helpers import ok
from tests.manage.support import Api
from tests.manage.test_cli import run_in_a_pipe, run_on_a_terminal

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@contextmanager
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A newly migrated database on the same backend as the shared one."""
    if make_url(database_url).get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite3"
        upgrade(url)
        yield url
        return
    with postgres_schema() as url:
        upgrade(url)
        yield url


def published_rows(
    database_url: str, tmp_path: Path, seed: int
) -> list[tuple[int, str, bytes, bytes, str]]:
    """What readers would get from a fresh database filled with this seed."""
    with fresh_database(database_url, tmp_path) as url:
        engine = create_db_engine(url)
        try:
            with Session(engine) as session:
                generate(session, articles=40, seed=seed, now=NOW)
                session.commit()
                rows = [
                    (row.article_id, row.slug, row.document, row.summary, row.etag)
                    for row in session.exec(
                        select(PublishedArticle).order_by(col(PublishedArticle.article_id))
                    )
                ]
        finally:
            engine.dispose()
    return rows


def test_readers_find_articles_by_slug_tag_and_author(session: Session, client: TestClient) -> None:
    generate(session, articles=60, now=datetime.now(UTC))
    session.commit()

    page = ok(client.get("/v1/articles", params={"limit": 100}))
    assert len(page["items"]) == 60
    newest = page["items"][0]
    document = ok(client.get(newest["links"]["self"]))
    assert document["headline"] == newest["headline"]
    assert document["body"]
    assert document["tags"]
    assert document["authors"]

    tag = document["tags"][-1]["slug"]
    tagged = ok(client.get("/v1/articles", params={"tag": tag, "limit": 100}))["items"]
    assert newest["slug"] in [item["slug"] for item in tagged]

    author_id = document["authors"][0]["id"]
    by_author = ok(client.get("/v1/articles", params={"author": author_id, "limit": 100}))
    assert by_author["items"]
    assert all(author_id in [a["id"] for a in item["authors"]] for item in by_author["items"])
    author = ok(client.get(f"/v1/authors/{author_id}"))
    assert author["article_count"] == len(by_author["items"])
    assert author["bio_line"]

    assert ok(client.get(f"/v1/articles/{newest['slug']}/related"))["items"]
    assert ok(client.get("/v1/popular"))["items"]


def test_the_mix_looks_like_a_newsroom(session: Session, client: TestClient) -> None:
    generate(session, articles=60, now=datetime.now(UTC))
    session.commit()

    items = ok(client.get("/v1/articles", params={"limit": 100}))["items"]
    documents = [ok(client.get(item["links"]["self"])) for item in items]
    assert {d["type"] for d in documents} >= {"news", "opinion"}
    assert any(len(d["authors"]) > 1 for d in documents)
    assert any(d["lead_image"] for d in documents)
    assert any(b["type"] == "quote" for d in documents for b in d["body"])
    assert any(";" in (a["bio_line"] or "") for d in documents for a in d["authors"])
    published = sorted(d["published_at"] for d in documents)
    assert published[0][:10] < published[-1][:10], "spread over days, not one instant"


def test_one_seed_gives_the_same_documents_and_another_seed_others(
    database_url: str, tmp_path: Path
) -> None:
    first = published_rows(database_url, tmp_path, seed=7)
    again = published_rows(database_url, tmp_path, seed=7)
    other = published_rows(database_url, tmp_path, seed=8)

    assert len(first) == 40
    assert first == again
    assert [row[1] for row in first] != [row[1] for row in other]


@pytest.mark.usefixtures("cli_database", "engine")
def test_the_command_fills_an_empty_database_once(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench-data", "--articles", "12", "--seed", "3"]) == 0
    assert capsys.readouterr().out.startswith("generated 12 published articles (seed 3) with ")
    assert len(ok(client.get("/v1/articles", params={"limit": 100}))["items"]) == 12

    assert main(["bench-data", "--articles", "12"]) == 1

    assert "already holds articles" in capsys.readouterr().err
    assert len(ok(client.get("/v1/articles", params={"limit": 100}))["items"]) == 12


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench-data"], "the following arguments are required: --articles"),
        (["bench-data", "--articles", "0"], "must be from 1 to 1,000,000, not 0"),
        (["bench-data", "--articles", "-5"], "must be from 1 to 1,000,000, not -5"),
        (["bench-data", "--articles", "2000000"], "must be from 1 to 1,000,000"),
        (["bench-data", "--articles", "ten"], "'ten' is not a whole number"),
        (["bench-data", "--articles", "10", "--seed", "x"], "invalid int value: 'x'"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def link_rows(session: Session, article_id: int) -> list[dict[str, object]]:
    session.expire_all()
    return [
        row.model_dump()
        for model in LINK_TABLES
        for row in session.exec(
            select(model).where(col(model.article_id) == article_id)  # type: ignore[attr-defined]
        )
    ]


def test_an_editor_resaving_and_republishing_changes_nothing(
    session: Session, client: TestClient, api: Api
) -> None:
    """The rows written in bulk are those the management API writes for the same content."""
    generate(session, articles=20, now=datetime.now(UTC))
    session.commit()

    for item in ok(client.get("/v1/articles", params={"limit": 100}))["items"]:
        public = client.get(item["links"]["self"])
        record, _etag = api.read("articles", item["id"])
        assert record["status"] == "published"
        assert record["has_unpublished_changes"] is False
        history = ok(api.get(f"/articles/{item['id']}/revisions"))["items"]
        assert [(r["number"], r["action"]) for r in history] == [(2, "published"), (1, "created")]
        links = link_rows(session, item["id"])

        published = ok(api.get(f"/articles/{item['id']}/revisions/2"))["content"]
        api.replace("articles", item["id"], published)
        api.publish(item["id"])

        assert link_rows(session, item["id"]) == links
        again = client.get(item["links"]["self"])
        assert again.headers["etag"] == public.headers["etag"]
        assert again.content == public.content


@pytest.mark.usefixtures("engine")
def test_progress_is_drawn_on_a_terminal_only(database_url: str, tmp_path: Path) -> None:
    out, terminal = run_on_a_terminal(database_url, "bench-data", "--articles", "5")
    with fresh_database(database_url, tmp_path) as url:
        piped_out, piped_err = run_in_a_pipe(url, "bench-data", "--articles", "5")

    assert re.search(r"generating articles \[#+\] 5/5", terminal), terminal
    assert out.startswith("generated 5 published articles")
    assert piped_out == out
    assert piped_err.splitlines() == [f"byline: database {url}"]


@pytest.mark.parametrize("articles", [1, 60, 100_000, MAX_ARTICLES])
def test_names_stay_distinct_up_to_the_largest_count(articles: int) -> None:
    sizes = Sizes.for_articles(articles)
    rng = random.Random(1)

    people = person_names(rng, sizes.officials + sizes.authors)
    places = place_names(rng, sizes.places)
    topics = topic_names(rng, sizes.topics)

    assert len(set(people)) == len(people) == sizes.officials + sizes.authors
    tag_slugs = {slugify(name) for name in [*SECTIONS, *places, *topics]}
    assert len(tag_slugs) == sizes.tags
