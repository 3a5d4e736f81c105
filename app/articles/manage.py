"""Managing articles: the draft resource plus publishing, preview and revisions."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.articles import publishing
from app.articles.schemas import (
    ArticleCreate,
    ArticleDocument,
    ArticleRecord,
    ArticleRecordPage,
    PublishRequest,
    RevisionPage,
    RevisionPublic,
    RevisionSummary,
)
from app.articles.writes import article_references, write_article
from app.auth.dependencies import Principal, Publisher, Reader, Writer
from app.auth.scopes import Scope
from app.clock import Now
from app.db import SessionDep, WriteSessionDep
from app.documents.render import RenderTarget, render_articles
from app.editing.preconditions import IfMatch
from app.editing.references import check_references
from app.editing.resource import IdentPath, Resource
from app.editing.responses import ManagementRoute, manage_responses, record_response
from app.errors import Forbidden
from app.http import page_response
from app.models import Article, ArticleRevision
from app.models.enums import ArticleStatus
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit, decode_cursor, split_page


def _status_fields(session: Session, article: Article, now: datetime) -> dict[str, Any]:
    latest = publishing.latest_revision(session, article.id or 0)
    live = article.published_revision
    return {
        "status": publishing.editorial_status(article, now),
        "published_at": article.published_at,
        "published_by": article.published_by,
        "published_revision": live,
        "has_unpublished_changes": article.status == ArticleStatus.published
        and live is not None
        and latest.number > live
        and latest.content != publishing.revision(session, article.id or 0, live).content,
    }


def _refuse_unpublished_delete(_session: Session, article: Article, who: Principal) -> None:
    if article.status == ArticleStatus.published and Scope.content_publish not in who.scopes:
        raise Forbidden(
            "Deleting a published article takes it off the site: that needs content:publish."
        )


articles = Resource(
    kind="article",
    singular="Article",
    plural="Articles",
    path="/articles",
    row=Article,
    create_schema=ArticleCreate,
    record_schema=ArticleRecord,
    page_schema=ArticleRecordPage,
    references=article_references,
    write=write_article,
    content=publishing.draft_content,
    before_delete=_refuse_unpublished_delete,
    record_extra=_status_fields,
)

router = APIRouter(route_class=ManagementRoute, prefix="/articles", tags=["manage: articles"])
ITEM = "/{ident}"
RevisionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="The revision number.")]


def _changed(request: Request, session: Session, article: Article) -> Response:
    response = record_response(
        request, articles.record(request, session, article), etag=articles.etag(article)
    )
    session.commit()
    return response


@router.post(
    ITEM + "/publish",
    operation_id="publishArticle",
    summary="Publish the draft now, or schedule it",
    response_model=ArticleRecord,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def publish_article(
    request: Request,
    session: WriteSessionDep,
    principal: Publisher,
    now: Now,
    ident: IdentPath,
    options: Annotated[PublishRequest | None, Body()] = None,
    if_match: IfMatch = None,
) -> Response:
    article = articles.claim(session, ident, if_match, principal.name)
    publish_at = options.publish_at if options is not None else None
    publishing.publish(session, article, publish_at=publish_at, now=now, actor=principal.name)
    return _changed(request, session, article)


def _withdrawal(status: ArticleStatus) -> Callable[..., Response]:
    def withdraw_article(
        request: Request,
        session: WriteSessionDep,
        principal: Publisher,
        ident: IdentPath,
        if_match: IfMatch = None,
    ) -> Response:
        article = articles.claim(session, ident, if_match, principal.name)
        publishing.withdraw(session, article, status=status, actor=principal.name)
        return _changed(request, session, article)

    return withdraw_article


for _action, _status, _summary in (
    ("unpublish", ArticleStatus.draft, "Take the article off the site; it becomes a draft"),
    ("archive", ArticleStatus.archived, "Take the article off the site and file it as archived"),
):
    router.add_api_route(
        f"{ITEM}/{_action}",
        _withdrawal(_status),
        methods=["POST"],
        operation_id=f"{_action}Article",
        summary=_summary,
        response_model=ArticleRecord,
        responses=manage_responses(404, 412, 422, 428),
    )


@router.get(
    ITEM + "/preview",
    operation_id="previewArticle",
    summary="The draft in the shape readers will get",
    response_model=ArticleDocument,
    responses=manage_responses(404, 422),
)
def preview_article(
    session: SessionDep, _principal: Reader, now: Now, ident: IdentPath
) -> Response:
    article = articles.load(session, ident)
    assert article.id is not None
    target = RenderTarget(
        article_id=article.id,
        content=publishing.draft_content(session, article),
        published_at=article.published_at or now,
    )
    (rendered,) = render_articles(session, [target])
    body = rendered.document.__pydantic_serializer__.to_json(rendered.document)
    return Response(body, media_type="application/json")


@router.get(
    ITEM + "/revisions",
    operation_id="listArticleRevisions",
    summary="Every save and publish of the article, newest first",
    response_model=RevisionPage,
    responses=manage_responses(400, 404, 422),
)
def list_revisions(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    ident: IdentPath,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    articles.load(session, ident)
    statement = (
        select(ArticleRevision)
        .where(ArticleRevision.article_id == ident)
        .order_by(col(ArticleRevision.number).desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        (before,) = decode_cursor(cursor, (int,))
        statement = statement.where(col(ArticleRevision.number) < before)
    page, next_cursor = split_page(session.exec(statement).all(), limit, lambda r: (r.number,))
    items = [RevisionSummary.model_validate(r, from_attributes=True) for r in page]
    return page_response(request, items, next_cursor, surrogate_keys=[])


@router.get(
    ITEM + "/revisions/{number}",
    operation_id="getArticleRevision",
    summary="One revision, with the content it held",
    response_model=RevisionPublic,
    responses=manage_responses(404, 422),
)
def get_revision(
    session: SessionDep, _principal: Reader, ident: IdentPath, number: RevisionNumber
) -> Response:
    articles.load(session, ident)
    revision = RevisionPublic.model_validate(
        publishing.revision(session, ident, number), from_attributes=True
    )
    body = revision.__pydantic_serializer__.to_json(revision)
    return Response(body, media_type="application/json")


@router.post(
    ITEM + "/revisions/{number}/restore",
    operation_id="restoreArticleRevision",
    summary="Make an old revision the draft again",
    response_model=ArticleRecord,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def restore_revision(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    number: RevisionNumber,
    if_match: IfMatch = None,
) -> Response:
    old = ArticleCreate.model_validate(publishing.revision(session, ident, number).content)
    check_references(session, article_references(old))
    article = articles.claim(session, ident, if_match, principal.name)
    write_article(session, article, old, principal.name, action="restored")
    return _changed(request, session, article)
