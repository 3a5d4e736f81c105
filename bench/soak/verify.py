"""After the load: is what the server acknowledged in the database?

Writes are checked by SQL against the write ledger: each article created is there, at the
version and with the headline of its last acknowledged write, and the published document
carries the headline of its last acknowledged publish. An article one of whose writes got
no answer is only checked to exist. Views are counted in `view_buckets`, and by the
server itself in its Prometheus counter of counted page views.
"""

import re

import orjson
from sqlalchemy import bindparam, text

from app.db import create_db_engine
from bench.process import request
from bench.soak.traffic import WriteLedger

COUNTED_VIEWS = re.compile(rb'^byline_page_views_total\{outcome="counted"\} (\S+)$', re.M)


def write_problems(database_url: str, ledger: WriteLedger) -> list[str]:
    """One line per acknowledged write the database does not hold as acknowledged."""
    ids = list(ledger.articles)
    if not ids:
        return []
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = {
                row.id: row
                for row in connection.execute(
                    text("SELECT id, version, headline FROM articles WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": ids},
                )
            }
            documents: dict[int, bytes] = {
                article_id: document
                for article_id, document in connection.execute(
                    text(
                        "SELECT article_id, document FROM published_articles "
                        "WHERE article_id IN :ids"
                    ).bindparams(bindparam("ids", expanding=True)),
                    {"ids": ids},
                )
            }
    finally:
        engine.dispose()
    problems = []
    for written in ledger.articles.values():
        row = rows.get(written.article_id)
        name = f"article {written.article_id} ({written.slug})"
        if row is None:
            problems.append(f"{name} is not in the database")
            continue
        if written.uncertain:
            continue
        if (row.version, row.headline) != (written.version, written.headline):
            problems.append(
                f"{name} holds version {row.version} {row.headline!r}, acknowledged "
                f"{written.version} {written.headline!r}"
            )
        if written.published_headline is not None:
            document = documents.get(written.article_id)
            published = orjson.loads(document)["headline"] if document else None
            if published != written.published_headline:
                problems.append(
                    f"{name} is published as {published!r}, acknowledged "
                    f"{written.published_headline!r}"
                )
    return problems


def counted_by_server(base_url: str) -> int:
    """Views the server's workers say they counted, from /metrics (shared between them)."""
    status, _, body = request(base_url + "/metrics")
    found = COUNTED_VIEWS.search(body) if status == 200 else None
    return int(float(found.group(1))) if found else 0
