"""Publishing, scheduling, withdrawing and restoring articles.

Readers see the revision that was last published, from its publish time on;
the draft can move ahead of it without anything leaking.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, tuple_
from sqlmodel import Session, col, select

from app.articles.writes import add_revision
from app.documents.articles import ArticleCreate, ArticleDocument
from app.documents.render import RenderTarget, render_articles
from app.documents.store import refresh_articles
from app.errors import Conflict, NotFound
from app.models import Article, ArticleRevision, ArticleSlugRedirect, PublishedArticle
from app.models.enums import ArticleStatus, EditorialStatus
from app.pagination import decode_cursor, split_page


def editorial_status(article: Article, now: datetime) -> EditorialStatus:
    if article.status == ArticleStatus.published:
        assert article.published_at is not None
        return (
            EditorialStatus.scheduled if article.published_at > now else EditorialStatus.published
        )
    return EditorialStatus(article.status.value)


def revision(session: Session, article_id: int, number: int) -> ArticleRevision:
    found = session.exec(
        select(ArticleRevision).where(
            ArticleRevision.article_id == article_id, ArticleRevision.number == number
        )
    ).first()
    if found is None:
        raise NotFound(f"Article {article_id} has no revision {number}.")
    return found


def revisions_page(
    session: Session, article_id: int, *, limit: int, cursor: str | None
) -> tuple[Sequence[ArticleRevision], str | None]:
    """An article's revisions, newest first."""
    number = col(ArticleRevision.number)
    statement = (
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id)
        .order_by(number.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        (before,) = decode_cursor(cursor, (int,))
        statement = statement.where(number < before)
    return split_page(session.exec(statement).all(), limit, lambda r: (r.number,))


def _latest_revisions(session: Session, articles: Sequence[Article]) -> dict[int, ArticleRevision]:
    """The newest revision of each article (every article is created with one)."""
    newest = (
        select(
            col(ArticleRevision.article_id).label("article_id"),
            func.max(col(ArticleRevision.number)).label("number"),
        )
        .where(col(ArticleRevision.article_id).in_([a.id for a in articles]))
        .group_by(col(ArticleRevision.article_id))
        .subquery()
    )
    statement = select(ArticleRevision).join(
        newest,
        and_(
            col(ArticleRevision.article_id) == newest.c.article_id,
            col(ArticleRevision.number) == newest.c.number,
        ),
    )
    return {revision.article_id: revision for revision in session.exec(statement)}


def draft_contents(session: Session, articles: Sequence[Article]) -> list[ArticleCreate]:
    """Each article's draft: the content of its newest revision."""
    latest = _latest_revisions(session, articles)
    return [ArticleCreate.model_validate(latest[a.id or 0].content) for a in articles]


def draft_content(session: Session, article: Article) -> ArticleCreate:
    (content,) = draft_contents(session, [article])
    return content


def editorial_fields(
    session: Session, articles: Sequence[Article], now: datetime
) -> list[dict[str, Any]]:
    """Where each article stands with readers as of `now`, in two queries for any number."""
    latest = _latest_revisions(session, articles)
    # Only a published article whose draft moved past the live revision can differ from it.
    ahead = {
        article.id: article.published_revision
        for article in articles
        if article.id is not None
        and article.status == ArticleStatus.published
        and article.published_revision is not None
        and latest[article.id].number > article.published_revision
    }
    live = _revisions(session, ahead)
    return [
        {
            "status": editorial_status(article, now),
            "published_at": article.published_at,
            "published_by": article.published_by,
            "published_revision": article.published_revision,
            "has_unpublished_changes": article.id in live
            and latest[article.id].content != live[article.id].content,
        }
        for article in articles
    ]


def _revisions(session: Session, numbers: dict[int, int]) -> dict[int, ArticleRevision]:
    """The revision of each article id with the number given for it."""
    if not numbers:
        return {}
    pairs = tuple_(col(ArticleRevision.article_id), col(ArticleRevision.number))
    statement = select(ArticleRevision).where(pairs.in_(list(numbers.items())))
    return {revision.article_id: revision for revision in session.exec(statement)}


def preview(session: Session, article: Article, now: datetime) -> ArticleDocument:
    """The draft rendered as readers would get it, stored nowhere."""
    assert article.id is not None
    target = RenderTarget(
        article_id=article.id,
        content=draft_content(session, article),
        published_at=article.published_at or now,
    )
    (rendered,) = render_articles(session, [target])
    return rendered.document


def _record_slug_change(session: Session, article: Article, new_slug: str) -> None:
    """The old slug redirects to the new; a slug once redirected is now this article's."""
    assert article.id is not None
    session.execute(delete(ArticleSlugRedirect).where(col(ArticleSlugRedirect.slug) == new_slug))
    live = session.get(PublishedArticle, article.id)
    if live is not None and live.slug != new_slug:
        session.merge(ArticleSlugRedirect(slug=live.slug, article_id=article.id))


def publish(
    session: Session,
    article: Article,
    *,
    publish_at: datetime | None,
    now: datetime,
    actor: str,
) -> Article:
    """Publish the current draft now, or schedule it for `publish_at`."""
    assert article.id is not None
    content = draft_content(session, article)
    clash = session.exec(
        select(PublishedArticle.article_id).where(
            PublishedArticle.slug == content.slug, PublishedArticle.article_id != article.id
        )
    ).first()
    if clash is not None:
        raise Conflict(f"Published article {clash} already has the slug {content.slug!r}.")
    _record_slug_change(session, article, content.slug)
    live = editorial_status(article, now) == EditorialStatus.published
    if publish_at is not None:
        article.published_at = publish_at
    elif not live:
        # Republishing a live article keeps its time; `updated_at` tells of corrections.
        article.published_at = now
    published = add_revision(
        session, article, action="published", content=content.model_dump(mode="json"), actor=actor
    )
    article.status = ArticleStatus.published
    article.published_by = actor
    article.published_revision = published.number
    session.add(article)
    refresh_articles(session, [article.id])
    return article


def withdraw(session: Session, article: Article, *, status: ArticleStatus, actor: str) -> Article:
    """Unpublish (back to draft) or archive: readers stop seeing it at once."""
    assert article.id is not None
    content = draft_content(session, article)
    article.status = status
    session.add(article)
    action = "archived" if status == ArticleStatus.archived else "unpublished"
    add_revision(
        session, article, action=action, content=content.model_dump(mode="json"), actor=actor
    )
    refresh_articles(session, [article.id])
    return article
