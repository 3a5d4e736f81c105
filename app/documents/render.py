"""Rendering articles into their public documents and list summaries."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from app.articles.blocks import (
    BodyBlock,
    ImageBlock,
    QuoteBlock,
    ResolvedBlock,
    ResolvedImageBlock,
    ResolvedQuoteBlock,
)
from app.articles.schemas import (
    ArticleDocument,
    ArticleLinks,
    ArticleSummary,
    AuthorRef,
    Mention,
    Thumbnail,
)
from app.documents.graph import Builder, Graph
from app.documents.refs import RefKind
from app.models import Article, ArticleAuthor, ArticleMention, ArticleTag, Tag
from app.models.enums import DEFAULT_KICKERS
from app.tags.schemas import TagRef

L = TypeVar("L", ArticleAuthor, ArticleMention, ArticleTag)

_body_adapter: TypeAdapter[list[BodyBlock]] = TypeAdapter(list[BodyBlock])


@dataclass
class RenderedArticle:
    article: Article
    document: ArticleDocument
    summary: ArticleSummary
    refs: set[tuple[RefKind, int]]


def parse_body(article: Article) -> list[BodyBlock]:
    return _body_adapter.validate_python(article.body)


def article_links(slug: str) -> ArticleLinks:
    return ArticleLinks(self=f"/v1/articles/{slug}", related=f"/v1/articles/{slug}/related")


def _links_by_article(
    session: Session, link: type[L], article_ids: list[int]
) -> dict[int, list[L]]:
    rows = session.exec(
        select(link)
        .where(col(link.article_id).in_(article_ids))
        .order_by(col(link.article_id), col(link.position))
    )
    grouped: dict[int, list[L]] = defaultdict(list)
    for row in rows:
        grouped[row.article_id].append(row)
    return grouped


def render_articles(session: Session, article_ids: Sequence[int]) -> list[RenderedArticle]:
    """Render the public document and list summary of each article, whatever its status."""
    if not article_ids:
        return []
    articles = session.exec(
        select(Article).where(col(Article.id).in_(article_ids)).order_by(col(Article.id))
    ).all()
    ids = [a.id for a in articles if a.id is not None]
    authors = _links_by_article(session, ArticleAuthor, ids)
    mentions = _links_by_article(session, ArticleMention, ids)
    tag_links = _links_by_article(session, ArticleTag, ids)
    bodies = {a.id: parse_body(a) for a in articles}
    tag_ids = {link.tag_id for links in tag_links.values() for link in links}
    tags = {t.id: t for t in session.exec(select(Tag).where(col(Tag.id).in_(tag_ids))) if t.id}

    graph = Graph(session)
    graph.load_quotes(
        b.quote_id for body in bodies.values() for b in body if isinstance(b, QuoteBlock)
    )
    graph.load_people(link.person_id for links in mentions.values() for link in links)
    graph.load_cards(link.person_id for links in authors.values() for link in links)
    graph.load_images(
        {a.lead_image_id for a in articles if a.lead_image_id is not None}
        | {b.image_id for body in bodies.values() for b in body if isinstance(b, ImageBlock)}
    )

    rendered = []
    for article in articles:
        assert article.id is not None
        rendered.append(
            _render_one(
                Builder(graph),
                article,
                bodies[article.id],
                [link.person_id for link in authors.get(article.id, [])],
                mentions.get(article.id, []),
                [tags[link.tag_id] for link in tag_links.get(article.id, [])],
            )
        )
    return rendered


def _resolve(builder: Builder, block: BodyBlock) -> ResolvedBlock:
    if isinstance(block, ImageBlock):
        placed = builder.placed_image(block.image_id, block.caption)
        return ResolvedImageBlock(caption=placed.caption, image=placed.image)
    if isinstance(block, QuoteBlock):
        return ResolvedQuoteBlock(quote=builder.quote(block.quote_id))
    return block


def _render_one(
    builder: Builder,
    article: Article,
    body: list[BodyBlock],
    author_ids: list[int],
    mentions: list[ArticleMention],
    tags: list[Tag],
) -> RenderedArticle:
    assert article.id is not None
    common = {
        "id": article.id,
        "slug": article.slug,
        "type": article.type,
        "kicker": article.kicker if article.kicker is not None else DEFAULT_KICKERS[article.type],
        "headline": article.headline,
        "dek": article.dek,
        "language": article.language,
        "published_at": article.published_at or article.created_at,
        "updated_at": article.updated_at,
        "links": article_links(article.slug),
    }
    lead = (
        builder.placed_image(article.lead_image_id, article.lead_image_caption)
        if article.lead_image_id is not None
        else None
    )
    authors = [builder.person(pid) for pid in author_ids]
    builder.refs.update((RefKind.author, pid) for pid in author_ids)
    builder.refs.update((RefKind.mention, m.person_id) for m in mentions)
    builder.refs.update((RefKind.tag, tag.id) for tag in tags if tag.id is not None)
    document = ArticleDocument(
        **common,
        authors=authors,
        lead_image=lead,
        body=[_resolve(builder, block) for block in body],
        author_note=article.author_note,
        people=[Mention(person=builder.person_ref(m.person_id), role=m.role) for m in mentions],
        tags=[TagRef.model_validate(tag, from_attributes=True) for tag in tags],
    )
    summary = ArticleSummary(
        **common,
        authors=[AuthorRef(id=a.id, name=a.name) for a in authors],
        lead_image=Thumbnail.model_validate(lead.image.model_dump()) if lead is not None else None,
    )
    return RenderedArticle(article=article, document=document, summary=summary, refs=builder.refs)
