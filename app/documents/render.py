"""Rendering article content into public documents and list summaries.

What is rendered is a revision's content (an ArticleCreate): the published
one for readers, the draft for a preview. Everything it points at is loaded in
batches by the graph, so rendering a thousand articles costs a handful of
queries, not thousands.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.documents.articles import (
    ArticleCreate,
    ArticleDocument,
    ArticleLinks,
    ArticleSummary,
    AuthorRef,
    Mention,
    SearchFields,
    SocialCard,
    Thumbnail,
)
from app.documents.blocks import (
    BodyBlock,
    ImageBlock,
    QuoteBlock,
    ResolvedBlock,
    ResolvedImageBlock,
    ResolvedQuoteBlock,
)
from app.documents.graph import Builder, Graph
from app.documents.images import web_links
from app.documents.refs import RefKind
from app.documents.tags import TagRef
from app.documents.web import WebLinks
from app.models import Tag
from app.models.enums import DEFAULT_KICKERS, TagKind


@dataclass(frozen=True)
class RenderTarget:
    article_id: int
    content: ArticleCreate
    published_at: datetime


@dataclass
class RenderedArticle:
    target: RenderTarget
    document: ArticleDocument
    summary: ArticleSummary
    refs: set[tuple[RefKind, int]]


def article_links(web: WebLinks, target: RenderTarget, article_tags: list[Tag]) -> ArticleLinks:
    content = target.content
    # The section a site files the article under: its first section tag, else its type.
    section = next((t.slug for t in article_tags if t.kind == TagKind.section), content.type)
    page = web.page(
        article_id=target.article_id,
        slug=content.slug,
        article_type=content.type,
        section=section,
        published_at=target.published_at,
    )
    return ArticleLinks(
        self=f"/v1/articles/{content.slug}",
        related=f"/v1/articles/{content.slug}/related",
        web=page,
        canonical=content.canonical_url or page,
    )


def render_articles(session: Session, targets: Sequence[RenderTarget]) -> list[RenderedArticle]:
    contents = [t.content for t in targets]
    tag_ids = {tid for c in contents for tid in c.tag_ids}
    tags = {t.id: t for t in session.exec(select(Tag).where(col(Tag.id).in_(tag_ids))) if t.id}
    graph = Graph(session)
    graph.load_quotes(b.quote_id for c in contents for b in c.body if isinstance(b, QuoteBlock))
    graph.load_people(m.person_id for c in contents for m in c.mentions)
    graph.load_cards(pid for c in contents for pid in c.author_ids)
    graph.load_images(
        {c.lead_image.image_id for c in contents if c.lead_image is not None}
        | {c.social_image_id for c in contents if c.social_image_id is not None}
        | {b.image_id for c in contents for b in c.body if isinstance(b, ImageBlock)}
    )
    web = web_links(session)
    return [_render_one(Builder(graph), web, target, tags) for target in targets]


def _resolve(builder: Builder, block: BodyBlock) -> ResolvedBlock:
    if isinstance(block, ImageBlock):
        placed = builder.placed_image(block.image_id, block.caption)
        return ResolvedImageBlock(caption=placed.caption, image=placed.image)
    if isinstance(block, QuoteBlock):
        return ResolvedQuoteBlock(quote=builder.quote(block.quote_id))
    return block


def common_fields(web: WebLinks, target: RenderTarget, article_tags: list[Tag]) -> dict[str, Any]:
    """The fields a document and its summary share, as rendering fills them."""
    content = target.content
    return {
        "id": target.article_id,
        "slug": content.slug,
        "type": content.type,
        "kicker": content.kicker if content.kicker is not None else DEFAULT_KICKERS[content.type],
        "headline": content.headline,
        "dek": content.dek,
        "language": content.language,
        "published_at": target.published_at,
        "updated_at": content.updated_at,
        "seo": SearchFields(
            headline=content.seo_headline or content.headline,
            description=content.seo_description or content.dek,
        ),
        "links": article_links(web, target, article_tags),
    }


def _render_one(
    builder: Builder, web: WebLinks, target: RenderTarget, tags: dict[int, Tag]
) -> RenderedArticle:
    content = target.content
    article_tags = [tags[tid] for tid in dict.fromkeys(content.tag_ids)]
    common = common_fields(web, target, article_tags)
    lead = (
        builder.placed_image(content.lead_image.image_id, content.lead_image.caption)
        if content.lead_image is not None
        else None
    )
    author_ids = list(dict.fromkeys(content.author_ids))
    mentions = list({m.person_id: m for m in content.mentions}.values())
    authors = [builder.person(pid) for pid in author_ids]
    builder.refs.update((RefKind.author, pid) for pid in author_ids)
    builder.refs.update((RefKind.mention, m.person_id) for m in mentions)
    builder.refs.update((RefKind.tag, tag.id) for tag in article_tags if tag.id is not None)
    document = ArticleDocument(
        **common,
        authors=authors,
        lead_image=lead,
        body=[_resolve(builder, block) for block in content.body],
        author_note=content.author_note,
        corrections=content.corrections,
        people=[Mention(person=builder.person_ref(m.person_id), role=m.role) for m in mentions],
        tags=[TagRef.model_validate(tag, from_attributes=True) for tag in article_tags],
        social=SocialCard(
            headline=content.social_headline or content.headline,
            description=content.social_description or content.dek,
            image=builder.image(content.social_image_id)
            if content.social_image_id is not None
            else lead.image
            if lead is not None
            else None,
        ),
    )
    summary = ArticleSummary(
        **common,
        authors=[AuthorRef(id=a.id, name=a.name) for a in authors],
        lead_image=Thumbnail.model_validate(lead.image.model_dump()) if lead is not None else None,
    )
    return RenderedArticle(target=target, document=document, summary=summary, refs=builder.refs)
