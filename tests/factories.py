"""Small builders for test data. Each writes through the app's own services and commits."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.articles.publishing import publish
from app.articles.writes import write_article
from app.documents.articles import ArticleCreate
from app.images.schemas import ImageCreate
from app.images.service import write_image
from app.models import Article, Image, Person, Quote, Tag
from app.people.schemas import PersonCreate
from app.people.service import write_person
from app.quotes.schemas import QuoteCreate
from app.quotes.service import write_quote
from app.tags.schemas import TagCreate
from app.tags.service import write_tag

ACTOR = "test factory"

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def hours_ahead(hours: float) -> datetime:
    """A publish time still to come: the article is scheduled."""
    return datetime.now(UTC) + timedelta(hours=hours)


def person(session: Session, **fields: Any) -> Person:
    n = _n()
    data = {"kind": "person", "name": f"Person {n}", **fields}
    row = write_person(session, None, PersonCreate.model_validate(data), ACTOR)
    session.commit()
    return row


def tag(session: Session, **fields: Any) -> Tag:
    n = _n()
    data = {"slug": f"tag-{n}", "name": f"Tag {n}", "kind": "topic", **fields}
    row = write_tag(session, None, TagCreate.model_validate(data), ACTOR)
    session.commit()
    return row


def image(session: Session, **fields: Any) -> Image:
    n = _n()
    data = {
        "url": f"https://images.example.org/{n}.jpg",
        "alt_text": f"Photo {n}",
        "credit_line": f"Photographer {n}/Agency",
        **fields,
    }
    row = write_image(session, None, ImageCreate.model_validate(data), ACTOR)
    session.commit()
    return row


def quote(session: Session, speaker: Person, **fields: Any) -> Quote:
    data = {
        "text": f"Words number {_n()}.",
        "kind": "direct",
        "speaker_id": speaker.id,
        "said_on": "2026-11-01",
        **fields,
    }
    row = write_quote(session, None, QuoteCreate.model_validate(data), ACTOR)
    session.commit()
    return row


def article(
    session: Session,
    *,
    status: str = "published",
    published_at: datetime | None = None,
    **fields: Any,
) -> Article:
    """A news article published an hour ago unless told otherwise (status="draft" for none)."""
    n = _n()
    data = {
        "slug": f"article-{n}",
        "type": "news",
        "headline": f"Headline {n}",
        "body": [{"type": "paragraph", "html": f"Paragraph {n}."}],
        **fields,
    }
    row = write_article(session, None, ArticleCreate.model_validate(data), ACTOR)
    if status == "published":
        publish(
            session,
            row,
            publish_at=published_at or hours_ago(1),
            now=datetime.now(UTC),
            actor=ACTOR,
        )
    session.commit()
    return row


def draft(session: Session, **fields: Any) -> Article:
    """An unpublished article; published_at may still be set (an editor's planned time)."""
    return article(session, **{"status": "draft", **fields})


def scheduled(session: Session, hours: float = 2, **fields: Any) -> Article:
    """A published article whose publish time is `hours` from now."""
    return article(session, **{"published_at": hours_ahead(hours), **fields})


def make_token(session: Session, *scopes: str, name: str | None = None) -> str:
    """An API token with these scopes, committed; returns the bearer secret."""
    from app.auth.schemas import TokenCreate
    from app.auth.scopes import Scope
    from app.auth.service import create_token

    data = TokenCreate(name=name or f"token-{_n()}", scopes=[Scope(s) for s in scopes])
    _row, secret = create_token(session, data=data, created_by=None)
    session.commit()
    return secret
