"""Keeping `published_articles` in step with the tables it is derived from.

Every write that can change what readers see calls one of these in the same
transaction, so a document is never older than the rows it was made from.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.documents.articles import ArticleCreate
from app.documents.refs import RefKind, surrogate_key
from app.documents.render import RenderedArticle, RenderTarget, render_articles
from app.http import etag_for
from app.models import Article, ArticleRevision, PublishedArticle, PublishedArticleRef
from app.models.base import utcnow
from app.models.enums import ArticleStatus
from app.progress import Progress

RENDER_BATCH = 200


def _surrogate_keys(rendered: RenderedArticle) -> str:
    keys = {surrogate_key("article", rendered.target.article_id)}
    keys.update(
        surrogate_key(kind.value, ident)
        for kind, ident in rendered.refs
        if kind in {RefKind.person, RefKind.image, RefKind.quote, RefKind.tag}
    )
    return " ".join(sorted(keys))


def _store(session: Session, rendered: RenderedArticle, existing: PublishedArticle | None) -> None:
    target, document = rendered.target, rendered.document
    body = document.__pydantic_serializer__.to_json(document)
    summary = rendered.summary.__pydantic_serializer__.to_json(rendered.summary)
    etag = etag_for(body)
    if (
        existing is not None
        and existing.etag == etag
        and existing.summary == summary
        and existing.published_at == target.published_at
    ):
        return
    fields: dict[str, Any] = {
        "slug": target.content.slug,
        "type": target.content.type.value,
        "published_at": target.published_at,
        "document": body,
        "summary": summary,
        "etag": etag,
        "surrogate_keys": _surrogate_keys(rendered),
        "rendered_at": utcnow(),
    }
    if existing is None:
        session.add(PublishedArticle(article_id=target.article_id, **fields))
    else:
        existing.sqlmodel_update(fields)
        session.add(existing)
    session.flush()
    session.execute(
        delete(PublishedArticleRef).where(col(PublishedArticleRef.article_id) == target.article_id)
    )
    session.add_all(
        PublishedArticleRef(
            article_id=target.article_id,
            ref_kind=kind.value,
            ref_id=ident,
            published_at=target.published_at,
        )
        for kind, ident in sorted(rendered.refs)
    )


def _published_targets(session: Session, ids: Sequence[int]) -> list[RenderTarget]:
    """What readers should see of these articles: their published revisions."""
    rows = session.exec(
        select(Article, ArticleRevision)
        .join(
            ArticleRevision,
            (col(ArticleRevision.article_id) == col(Article.id))
            & (col(ArticleRevision.number) == col(Article.published_revision)),
        )
        .where(col(Article.id).in_(ids), Article.status == ArticleStatus.published)
    ).all()
    return [
        RenderTarget(
            article_id=article.id,
            content=ArticleCreate.model_validate(revision.content),
            published_at=article.published_at,
        )
        for article, revision in rows
        if article.id is not None and article.published_at is not None
    ]


def refresh_articles(
    session: Session, article_ids: Iterable[int], *, progress: Progress | None = None
) -> None:
    """Re-render published articles and withdraw the documents of the others."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), RENDER_BATCH):
        batch = ids[start : start + RENDER_BATCH]
        existing = {
            row.article_id: row
            for row in session.exec(
                select(PublishedArticle).where(col(PublishedArticle.article_id).in_(batch))
            )
        }
        targets = _published_targets(session, batch)
        withdrawn = set(existing) - {t.article_id for t in targets}
        if withdrawn:
            session.execute(
                delete(PublishedArticle).where(col(PublishedArticle.article_id).in_(withdrawn))
            )
            # Slugs may move from a withdrawn row to a published one in this batch.
            session.flush()
        for rendered in render_articles(session, targets):
            _store(session, rendered, existing.get(rendered.target.article_id))
        if progress is not None:
            progress(start + len(batch), len(ids))
    session.flush()


def articles_embedding(session: Session, kind: RefKind, ident: int) -> Sequence[int]:
    return session.exec(
        select(PublishedArticleRef.article_id).where(
            PublishedArticleRef.ref_kind == kind.value, PublishedArticleRef.ref_id == ident
        )
    ).all()


def refresh_embedding(session: Session, kind: RefKind, ident: int) -> None:
    """After a person, image, quote or tag changed: re-render every document showing it."""
    refresh_articles(session, articles_embedding(session, kind, ident))


def rebuild_all(session: Session, *, progress: Progress | None = None) -> int:
    """Regenerate every document from the tables; unchanged documents keep their ETag."""
    ids = [i for i in session.exec(select(Article.id)).all() if i is not None]
    refresh_articles(session, ids, progress=progress)
    return len(ids)
