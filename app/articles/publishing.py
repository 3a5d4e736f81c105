"""Publishing, scheduling, withdrawing and restoring articles.

Readers see the revision that was last published, from its publish time on;
the draft can move ahead of it without anything leaking.
"""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.articles.writes import add_revision
from app.documents.articles import ArticleCreate
from app.documents.store import refresh_articles
from app.errors import Conflict, NotFound
from app.models import Article, ArticleRevision, ArticleSlugRedirect, PublishedArticle
from app.models.enums import ArticleStatus, EditorialStatus


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


def latest_revision(session: Session, article_id: int) -> ArticleRevision:
    found = session.exec(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id)
        .order_by(col(ArticleRevision.number).desc())
    ).first()
    assert found is not None, "every article is created with a revision"
    return found


def draft_content(session: Session, article: Article) -> ArticleCreate:
    assert article.id is not None
    return ArticleCreate.model_validate(latest_revision(session, article.id).content)


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
