"""Managing articles: the draft resource plus publishing, preview and revisions."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from app.articles import publishing
from app.articles.schemas import (
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
from app.container import Now, SessionDep, WriteSessionDep, services
from app.documents.articles import ArticleCreate, ArticleDocument
from app.documents.render import RenderTarget, render_articles
from app.editing.preconditions import IfMatch
from app.editing.references import check_references
from app.editing.resource import IdentPath, Phrases, Resource
from app.editing.responses import (
    IF_MATCH_RULE,
    ManagementRoute,
    manage_description,
    manage_responses,
    record_response,
)
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
    phrases=Phrases(
        one="an article",
        many="articles",
        on_create="It starts as a draft with revision 1; readers see nothing of it "
        "until it is published.",
        on_save="The change goes to the draft as a new revision; readers keep the last "
        "published revision until the article is published again.",
        on_delete="A published article leaves the site at once, so deleting one also "
        "needs `content:publish` (else 403).",
    ),
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
    summary="Publish an article's draft now, or schedule it",
    description=manage_description(
        "Publishes the current draft at once, or at `publish_at` when the body gives one "
        "(the article is `scheduled` until then), and returns the record with its new ETag.",
        "Readers get this revision from its publish time on; republishing a live article "
        "keeps its first `published_at`, and a slug another published article holds is a 409.",
        IF_MATCH_RULE,
        scope=Scope.content_publish,
    ),
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
    ("unpublish", ArticleStatus.draft, "Unpublish an article, making it a draft again"),
    ("archive", ArticleStatus.archived, "Archive an article, taking it off the site"),
):
    router.add_api_route(
        f"{ITEM}/{_action}",
        _withdrawal(_status),
        methods=["POST"],
        operation_id=f"{_action}Article",
        summary=_summary,
        description=manage_description(
            "Takes the article off every public endpoint at once, sets its status to "
            f"`{_status.value}` with a new revision, and returns the record with its new ETag.",
            "The draft is kept; publishing again brings the article back.",
            IF_MATCH_RULE,
            scope=Scope.content_publish,
        ),
        response_model=ArticleRecord,
        responses=manage_responses(404, 412, 422, 428),
    )


@router.get(
    ITEM + "/preview",
    operation_id="previewArticle",
    summary="Preview an article's draft as readers would get it",
    description=manage_description(
        "Renders the current draft as a public article document without publishing or "
        "storing anything; `published_at` is the article's own, or now if it was never "
        "published.",
        scope=Scope.content_read,
    ),
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
    summary="List an article's revisions, newest first",
    description=manage_description(
        "Every create, save, restore, publish, unpublish and archive of the article, as "
        "numbered revisions with their action, changed fields, time and token name, newest "
        "first and paged by cursor.",
        "Revisions never change once written.",
        scope=Scope.content_read,
    ),
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
    return page_response(
        request, services(request).public_headers, items, next_cursor, surrogate_keys=[]
    )


@router.get(
    ITEM + "/revisions/{number}",
    operation_id="getArticleRevision",
    summary="Get one revision of an article, with the content it held",
    description=manage_description(
        "A revision's number, action, changed fields, time and token name, plus the whole "
        "article content it recorded; 404 when the article or the revision does not exist.",
        scope=Scope.content_read,
    ),
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
    summary="Restore an old revision as an article's draft",
    description=manage_description(
        "Makes the content of revision `number` the draft again, as a new `restored` "
        "revision, and returns the record with its new ETag; readers see nothing until the "
        "article is published again.",
        "Records the old content refers to must still exist (else 422), and its slug must "
        "be free (else 409).",
        IF_MATCH_RULE,
        scope=Scope.content_write,
    ),
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
