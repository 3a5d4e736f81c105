"""A throwaway SQLite database with the demo newsroom in it."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from app.db import create_db_engine
from app.demo.loader import load_demo
from app.migrate import upgrade
from app.models import PublishedArticle

FLAGSHIP_SLUG = "the-ceasefire-that-nobody-signed"


class DatasetError(RuntimeError):
    pass


@dataclass(frozen=True)
class Dataset:
    database_url: str
    slug: str
    document_bytes: int
    published_articles: int


def _document(session: Session, slug: str, now: datetime) -> bytes | None:
    document: bytes | None = session.execute(
        select(col(PublishedArticle.document)).where(
            col(PublishedArticle.slug) == slug, col(PublishedArticle.published_at) <= now
        )
    ).scalar_one_or_none()
    return document


def _newest_slug(session: Session, now: datetime) -> str | None:
    slug: str | None = session.execute(
        select(col(PublishedArticle.slug))
        .where(col(PublishedArticle.published_at) <= now)
        .order_by(col(PublishedArticle.published_at).desc())
        .limit(1)
    ).scalar_one_or_none()
    return slug


def prepare(directory: Path, slug: str) -> Dataset:
    """Migrate a new SQLite file in `directory`, load the demo, and size the article.

    When `slug` is not published (the demo may change), the newest visible article
    stands in for it, as GET /v1/articles would list first.
    """
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    upgrade(url)
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            try:
                load_demo(session)
            except FileNotFoundError as exc:
                raise DatasetError(f"the demo content is missing: {exc}") from exc
            session.commit()
            now = datetime.now(UTC)
            count = len(session.execute(select(col(PublishedArticle.article_id))).all())
            document = _document(session, slug, now)
            if document is None:
                fallback = _newest_slug(session, now)
                if fallback is None:
                    raise DatasetError("the demo loaded no published article")
                print(f"note: {slug!r} is not published in the demo; using {fallback!r}")
                slug = fallback
                document = _document(session, slug, now)
                assert document is not None
    finally:
        engine.dispose()
    return Dataset(
        database_url=url, slug=slug, document_bytes=len(document), published_articles=count
    )
