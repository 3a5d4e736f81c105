"""Management lists load each page in batches: 100 records cost the queries 10 do."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.helpers import ok
from tests.manage.support import Api, article_body, image_body, organization_body, person_body

AddRecord = Callable[[Api, int], None]


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_article(api: Api, i: int) -> None:
    """Drafts, published articles, and published ones edited since (each record then
    compares its draft with the live revision)."""
    ident = api.create("articles", article_body())["id"]
    if i % 3:
        api.publish(ident)
    if i % 3 == 2:
        api.update("articles", ident, {"headline": f"Corrected headline {i}"})


def add_person(api: Api, i: int) -> None:
    organization = api.create("people", organization_body())["id"]
    affiliations = [{"organization_id": organization, "role": "Reporter"}] * (i % 2)
    api.create("people", person_body(affiliations=affiliations))


def add_image(api: Api, i: int) -> None:
    shown = api.create("people", person_body())["id"]
    api.create("images", image_body(depicted=[{"person_id": shown}] * (i % 2)))


@pytest.mark.parametrize(
    ("kind", "add"),
    [("articles", add_article), ("people", add_person), ("images", add_image)],
)
def test_a_page_of_100_records_takes_as_many_queries_as_a_page_of_10(
    api: Api, engine: Engine, kind: str, add: AddRecord
) -> None:
    def queries_for_page(size: int) -> int:
        with counted_statements(engine) as statements:
            page = ok(api.get(f"/{kind}", limit=size))
        assert len(page["items"]) == size
        return len(statements)

    for i in range(10):
        add(api, i)
    ten = queries_for_page(10)
    for i in range(10, 100):
        add(api, i)

    assert queries_for_page(100) == ten
