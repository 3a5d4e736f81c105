"""Table models. Imported together so Alembic and the app see one metadata."""

from app.models.articles import (
    Article,
    ArticleAuthor,
    ArticleCorrection,
    ArticleImage,
    ArticleMention,
    ArticleQuote,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleTag,
)
from app.models.auth import ApiToken
from app.models.base import metadata
from app.models.documents import PublishedArticle, PublishedArticleRef
from app.models.idempotency import IdempotencyRecord
from app.models.images import Image, ImageDepiction, ImageFile
from app.models.people import Affiliation, Person
from app.models.quotes import Quote
from app.models.tags import Tag
from app.models.views import ViewBucket, ViewFlush, ViewVisitor

__all__ = [
    "Affiliation",
    "ApiToken",
    "Article",
    "ArticleAuthor",
    "ArticleCorrection",
    "ArticleImage",
    "ArticleMention",
    "ArticleQuote",
    "ArticleRevision",
    "ArticleSlugRedirect",
    "ArticleTag",
    "IdempotencyRecord",
    "Image",
    "ImageDepiction",
    "ImageFile",
    "Person",
    "PublishedArticle",
    "PublishedArticleRef",
    "Quote",
    "Tag",
    "ViewBucket",
    "ViewFlush",
    "ViewVisitor",
    "metadata",
]
