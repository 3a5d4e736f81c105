"""Writing an article's draft: the row, its ordered links, and a revision per save."""

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from app.documents.articles import ArticleCreate
from app.documents.blocks import ImageBlock, QuoteBlock
from app.editing.references import Reference
from app.editing.rows import save_fields
from app.errors import Conflict
from app.models import (
    Article,
    ArticleAuthor,
    ArticleCorrection,
    ArticleImage,
    ArticleMention,
    ArticleQuote,
    ArticleRevision,
    ArticleTag,
)

LINK_TABLES: tuple[type[SQLModel], ...] = (
    ArticleAuthor,
    ArticleCorrection,
    ArticleMention,
    ArticleTag,
    ArticleImage,
    ArticleQuote,
)
COLUMNS = {
    "slug",
    "type",
    "kicker",
    "headline",
    "dek",
    "language",
    "author_note",
    "seo_headline",
    "seo_description",
    "social_headline",
    "social_description",
    "social_image_id",
    "canonical_url",
    "updated_at",
}


def article_references(data: ArticleCreate) -> list[Reference]:
    refs = [Reference("person", pid, ("author_ids", i)) for i, pid in enumerate(data.author_ids)]
    refs += [
        Reference("person", m.person_id, ("mentions", i, "person_id"))
        for i, m in enumerate(data.mentions)
    ]
    refs += [Reference("tag", tid, ("tag_ids", i)) for i, tid in enumerate(data.tag_ids)]
    if data.lead_image is not None:
        refs.append(Reference("image", data.lead_image.image_id, ("lead_image", "image_id")))
    if data.social_image_id is not None:
        refs.append(Reference("image", data.social_image_id, ("social_image_id",)))
    for i, block in enumerate(data.body):
        if isinstance(block, ImageBlock):
            refs.append(Reference("image", block.image_id, ("body", i, "image_id")))
        elif isinstance(block, QuoteBlock):
            refs.append(Reference("quote", block.quote_id, ("body", i, "quote_id")))
    return refs


def _link_rows(article_id: int, data: ArticleCreate) -> list[SQLModel]:
    """The link-table rows an article's content implies; the body decides placements."""
    rows: list[SQLModel] = [
        ArticleAuthor(article_id=article_id, person_id=pid, position=i)
        for i, pid in enumerate(dict.fromkeys(data.author_ids))
    ]
    rows += [
        ArticleMention(article_id=article_id, person_id=m.person_id, position=i, role=m.role)
        for i, m in enumerate({m.person_id: m for m in data.mentions}.values())
    ]
    rows += [
        ArticleTag(article_id=article_id, tag_id=tid, position=i)
        for i, tid in enumerate(dict.fromkeys(data.tag_ids))
    ]
    if data.lead_image is not None:
        rows.append(
            ArticleImage(
                article_id=article_id,
                position=0,
                image_id=data.lead_image.image_id,
                caption=data.lead_image.caption,
                is_lead=True,
            )
        )
    quote_ids: list[int] = []
    for position, block in enumerate(data.body, start=1):
        if isinstance(block, ImageBlock):
            rows.append(
                ArticleImage(
                    article_id=article_id,
                    position=position,
                    image_id=block.image_id,
                    caption=block.caption,
                )
            )
        elif isinstance(block, QuoteBlock) and block.quote_id not in quote_ids:
            quote_ids.append(block.quote_id)
    rows += [
        ArticleQuote(article_id=article_id, quote_id=qid, position=i)
        for i, qid in enumerate(quote_ids)
    ]
    if data.social_image_id is not None:
        # Listed with the placements so that "which articles use this image" finds it.
        rows.append(
            ArticleImage(
                article_id=article_id, position=len(data.body) + 1, image_id=data.social_image_id
            )
        )
    rows += [
        ArticleCorrection(article_id=article_id, position=i, **note.model_dump())
        for i, note in enumerate(data.corrections)
    ]
    return rows


def _check_slug_free(session: Session, slug: str, article_id: int | None) -> None:
    taken = session.exec(select(Article.id).where(Article.slug == slug)).first()
    if taken is not None and taken != article_id:
        raise Conflict(f"Another article already has the slug {slug!r}.")


def content_of(data: ArticleCreate) -> dict[str, Any]:
    return data.model_dump(mode="json")


def add_revision(
    session: Session, article: Article, *, action: str, content: dict[str, Any], actor: str
) -> ArticleRevision:
    """Keep an immutable snapshot, numbered 1, 2, 3... per article."""
    assert article.id is not None
    previous = session.exec(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .order_by(col(ArticleRevision.number).desc())
    ).first()
    before = previous.content if previous is not None else {}
    changed = sorted(k for k in content.keys() | before.keys() if content.get(k) != before.get(k))
    revision = ArticleRevision(
        article_id=article.id,
        number=previous.number + 1 if previous is not None else 1,
        action=action,
        content=content,
        changed_fields=changed,
        created_by=actor,
    )
    session.add(revision)
    session.flush()
    return revision


def write_article(
    session: Session,
    article: Article | None,
    data: ArticleCreate,
    actor: str,
    *,
    action: str | None = None,
) -> Article:
    """Create the draft, or replace it; either way record a revision."""
    article_id = article.id if article is not None else None
    _check_slug_free(session, data.slug, article_id)
    fields = data.model_dump(include=COLUMNS)
    fields["body"] = [block.model_dump(mode="json") for block in data.body]
    fields["lead_image_id"] = data.lead_image.image_id if data.lead_image else None
    fields["lead_image_caption"] = data.lead_image.caption if data.lead_image else None
    article = save_fields(session, Article, article, fields, actor)
    if article_id is not None:
        # Every link table has article_id; the tuple's common type (SQLModel) does not.
        for table in LINK_TABLES:
            session.execute(delete(table).where(col(table.article_id) == article.id))  # type: ignore[attr-defined]
    assert article.id is not None
    session.add_all(_link_rows(article.id, data))
    session.flush()
    add_revision(
        session,
        article,
        action=action or ("created" if article_id is None else "updated"),
        content=content_of(data),
        actor=actor,
    )
    return article
