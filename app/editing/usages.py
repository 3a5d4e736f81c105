"""Who still uses a record, so a delete can refuse with a list instead of breaking pages."""

from typing import Any

from sqlmodel import Session, col, select

from app.documents.refs import RefKind
from app.errors import Conflict, Usage
from app.models import (
    Affiliation,
    Article,
    ArticleAuthor,
    ArticleImage,
    ArticleMention,
    ArticleQuote,
    ArticleTag,
    ImageDepiction,
    Person,
    PublishedArticleRef,
    Quote,
)

# article_images holds the lead image too, so it covers both placements.
_DRAFT_LINKS: dict[RefKind, list[Any]] = {
    RefKind.person: [col(ArticleAuthor.person_id), col(ArticleMention.person_id)],
    RefKind.image: [col(ArticleImage.image_id)],
    RefKind.quote: [col(ArticleQuote.quote_id)],
    RefKind.tag: [col(ArticleTag.tag_id)],
}


def _article_usages(session: Session, article_ids: set[int]) -> list[Usage]:
    if not article_ids:
        return []
    rows = session.exec(
        select(Article.id, Article.slug, Article.status)
        .where(col(Article.id).in_(article_ids))
        .order_by(col(Article.id))
    )
    return [
        Usage(kind="article", id=i, label=f"{slug} ({status})")
        for i, slug, status in rows
        if i is not None
    ]


def _articles_using(session: Session, kind: RefKind, ident: int) -> set[int]:
    """Drafts that link to the record, and published documents that show it."""
    drafts: set[int] = set()
    for column in _DRAFT_LINKS[kind]:
        drafts.update(session.exec(select(column.table.c.article_id).where(column == ident)))
    drafts.update(
        session.exec(
            select(PublishedArticleRef.article_id).where(
                PublishedArticleRef.ref_kind == kind.value, PublishedArticleRef.ref_id == ident
            )
        )
    )
    return drafts


def usages(session: Session, kind: RefKind, ident: int) -> list[Usage]:
    found = _article_usages(session, _articles_using(session, kind, ident))
    if kind is RefKind.person:
        found += [
            Usage(kind="quote", id=q, label="speaker")
            for q in session.exec(select(Quote.id).where(Quote.speaker_id == ident))
            if q is not None
        ]
        found += [
            Usage(kind="image", id=i, label="pictured")
            for i in session.exec(
                select(ImageDepiction.image_id).where(ImageDepiction.person_id == ident)
            )
        ]
        found += [
            Usage(kind="person", id=p, label="affiliation")
            for p in session.exec(
                select(Affiliation.person_id).where(Affiliation.organization_id == ident)
            )
        ]
    if kind is RefKind.image:
        found += [
            Usage(kind="person", id=p, label="headshot")
            for p in session.exec(select(Person.id).where(Person.headshot_image_id == ident))
            if p is not None
        ]
    return found


def refuse_delete_if_used(session: Session, kind: RefKind, ident: int) -> None:
    used_by = usages(session, kind, ident)
    if used_by:
        raise Conflict(
            f"This {kind.value} is still used by {len(used_by)} record(s); "
            "remove those references first.",
            used_by=used_by,
        )
