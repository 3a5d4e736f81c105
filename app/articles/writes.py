"""Writing articles: the row, its ordered links, and its published document."""

from sqlmodel import Session

from app.articles.blocks import ImageBlock, QuoteBlock
from app.articles.schemas import ArticleCreate
from app.documents.store import refresh_articles
from app.models import (
    Article,
    ArticleAuthor,
    ArticleImage,
    ArticleMention,
    ArticleQuote,
    ArticleTag,
)


def _link_rows(article_id: int, data: ArticleCreate) -> list[object]:
    """The link-table rows an article's fields imply; the body decides placements."""
    rows: list[object] = [
        ArticleAuthor(article_id=article_id, person_id=pid, position=i)
        for i, pid in enumerate(data.author_ids)
    ]
    rows += [
        ArticleMention(article_id=article_id, person_id=m.person_id, position=i, role=m.role)
        for i, m in enumerate(data.mentions)
    ]
    rows += [
        ArticleTag(article_id=article_id, tag_id=tid, position=i)
        for i, tid in enumerate(data.tag_ids)
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
    return rows


def create_article(session: Session, *, data: ArticleCreate) -> Article:
    lead = data.lead_image
    article = Article(
        **data.model_dump(
            include={
                "slug",
                "type",
                "kicker",
                "headline",
                "dek",
                "language",
                "author_note",
                "status",
                "published_at",
                "updated_at",
            }
        ),
        body=[block.model_dump(mode="json") for block in data.body],
        lead_image_id=lead.image_id if lead else None,
        lead_image_caption=lead.caption if lead else None,
    )
    session.add(article)
    session.flush()
    assert article.id is not None
    session.add_all(_link_rows(article.id, data))
    session.flush()
    refresh_articles(session, [article.id])
    return article
