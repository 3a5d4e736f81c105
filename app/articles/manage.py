"""Managing articles under /v1/manage/articles: drafts, publishing, preview and revisions."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request
from sqlmodel import Session
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
from app.editing import crud, descriptions
from app.editing.idempotency import IdempotencyKey
from app.editing.merge_patch import MergePatch
from app.editing.preconditions import IfMatch
from app.editing.references import check_references
from app.editing.resource import IdentPath, Resource
from app.editing.responses import ManagementRoute, manage_description, manage_responses
from app.errors import Forbidden
from app.http import page_response
from app.models import Article
from app.models.enums import ArticleStatus
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit


def _refuse_unpublished_delete(_session: Session, article: Article, who: Principal) -> None:
    if article.status == ArticleStatus.published and Scope.content_publish not in who.scopes:
        raise Forbidden(
            "Deleting a published article takes it off the site: that needs content:publish."
        )


articles = Resource(
    kind="article",
    row=Article,
    create_schema=ArticleCreate,
    record_schema=ArticleRecord,
    references=article_references,
    write=write_article,
    contents=publishing.draft_contents,
    before_delete=_refuse_unpublished_delete,
    extras=publishing.editorial_fields,
)

# Two routers, so that the OpenAPI document lists the records of every kind before the
# article actions (app.manage includes `actions` after the other domains' records).
router = APIRouter(route_class=ManagementRoute, prefix="/articles", tags=["manage: articles"])
actions = APIRouter(route_class=ManagementRoute, prefix="/articles", tags=["manage: articles"])
RevisionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="The revision number.")]


@router.post(
    "",
    operation_id="createArticle",
    summary="Create an article",
    description=manage_description(
        "Creates an article and returns its record (201) with its ETag and Location.",
        "It starts as a draft with revision 1; readers see nothing of it until it is published.",
        descriptions.IDEMPOTENT_CREATE,
        scope=Scope.content_write,
    ),
    status_code=201,
    response_model=ArticleRecord,
    responses=manage_responses(409, 413, 422),
)
def create_article(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    data: ArticleCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return crud.create_record(
        request, session, articles, data, principal=principal, idempotency_key=idempotency_key
    )


@router.get(
    "",
    operation_id="listManagedArticles",
    summary="List all articles, newest first",
    description=manage_description(
        "All articles as editors see them, whether or not readers can, newest first and "
        "paged by cursor.",
        scope=Scope.content_read,
    ),
    response_model=ArticleRecordPage,
    responses=manage_responses(400, 422),
)
def list_articles(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return crud.list_records(request, session, articles, limit=limit, cursor=cursor)


@router.get(
    "/{ident}",
    operation_id="getManagedArticle",
    summary="Get an article as editors see it",
    description=manage_description(
        "The record of an article, whether or not readers can see it, with its version and "
        "who created and last changed it.",
        descriptions.READ_ETAG,
        scope=Scope.content_read,
    ),
    response_model=ArticleRecord,
    responses=manage_responses(404, 422),
)
def get_article(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return crud.read_record(request, session, articles, ident)


# What saving a draft means for readers, in the replace and patch descriptions.
_DRAFT_SAVED = (
    "The change goes to the draft as a new revision; readers keep the last published "
    "revision until the article is published again."
)


@router.put(
    "/{ident}",
    operation_id="replaceArticle",
    summary="Replace an article",
    description=manage_description(
        descriptions.REPLACE,
        _DRAFT_SAVED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=ArticleRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def replace_article(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    data: ArticleCreate,
    if_match: IfMatch = None,
) -> Response:
    return crud.replace_record(
        request, session, articles, ident, data, principal=principal, if_match=if_match
    )


@router.patch(
    "/{ident}",
    operation_id="updateArticle",
    summary="Change some fields of an article (merge patch)",
    description=manage_description(
        descriptions.MERGE_PATCH,
        _DRAFT_SAVED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=ArticleRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def update_article(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    merge_patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    return crud.patch_record(
        request, session, articles, ident, merge_patch, principal=principal, if_match=if_match
    )


@router.delete(
    "/{ident}",
    operation_id="deleteArticle",
    summary="Delete an article",
    description=manage_description(
        "Deletes an article and answers 204 with no body.",
        "A published article leaves the site at once, so deleting one also needs "
        "`content:publish` (else 403).",
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    status_code=204,
    response_model=None,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def delete_article(
    session: WriteSessionDep, principal: Writer, ident: IdentPath, if_match: IfMatch = None
) -> Response:
    return crud.delete_record(session, articles, ident, principal=principal, if_match=if_match)


@actions.post(
    "/{ident}/publish",
    operation_id="publishArticle",
    summary="Publish an article's draft now, or schedule it",
    description=manage_description(
        "Publishes the current draft at once, or at `publish_at` when the body gives one "
        "(the article is `scheduled` until then), and returns the record with its new ETag.",
        "Readers get this revision from its publish time on; republishing a live article "
        "keeps its first `published_at`, and a slug another published article holds is a 409.",
        descriptions.IF_MATCH,
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
    return crud.saved_record(request, session, articles, article)


# Unpublishing and archiving differ only in the status they leave.
_WITHDRAWN = "The draft is kept; publishing again brings the article back."


@actions.post(
    "/{ident}/unpublish",
    operation_id="unpublishArticle",
    summary="Unpublish an article, making it a draft again",
    description=manage_description(
        "Takes the article off every public endpoint at once, sets its status to `draft` "
        "with a new revision, and returns the record with its new ETag.",
        _WITHDRAWN,
        descriptions.IF_MATCH,
        scope=Scope.content_publish,
    ),
    response_model=ArticleRecord,
    responses=manage_responses(404, 412, 422, 428),
)
def unpublish_article(
    request: Request,
    session: WriteSessionDep,
    principal: Publisher,
    ident: IdentPath,
    if_match: IfMatch = None,
) -> Response:
    article = articles.claim(session, ident, if_match, principal.name)
    publishing.withdraw(session, article, status=ArticleStatus.draft, actor=principal.name)
    return crud.saved_record(request, session, articles, article)


@actions.post(
    "/{ident}/archive",
    operation_id="archiveArticle",
    summary="Archive an article, taking it off the site",
    description=manage_description(
        "Takes the article off every public endpoint at once, sets its status to `archived` "
        "with a new revision, and returns the record with its new ETag.",
        _WITHDRAWN,
        descriptions.IF_MATCH,
        scope=Scope.content_publish,
    ),
    response_model=ArticleRecord,
    responses=manage_responses(404, 412, 422, 428),
)
def archive_article(
    request: Request,
    session: WriteSessionDep,
    principal: Publisher,
    ident: IdentPath,
    if_match: IfMatch = None,
) -> Response:
    article = articles.claim(session, ident, if_match, principal.name)
    publishing.withdraw(session, article, status=ArticleStatus.archived, actor=principal.name)
    return crud.saved_record(request, session, articles, article)


@actions.get(
    "/{ident}/preview",
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
    document = publishing.preview(session, articles.load(session, ident), now)
    body = document.__pydantic_serializer__.to_json(document)
    return Response(body, media_type="application/json")


@actions.get(
    "/{ident}/revisions",
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
    page, next_cursor = publishing.revisions_page(session, ident, limit=limit, cursor=cursor)
    items = [RevisionSummary.model_validate(r, from_attributes=True) for r in page]
    return page_response(
        request, services(request).public_headers, items, next_cursor, surrogate_keys=[]
    )


@actions.get(
    "/{ident}/revisions/{number}",
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


@actions.post(
    "/{ident}/revisions/{number}/restore",
    operation_id="restoreArticleRevision",
    summary="Restore an old revision as an article's draft",
    description=manage_description(
        "Makes the content of revision `number` the draft again, as a new `restored` "
        "revision, and returns the record with its new ETag; readers see nothing until the "
        "article is published again.",
        "Records the old content refers to must still exist (else 422), and its slug must "
        "be free (else 409).",
        descriptions.IF_MATCH,
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
    return crud.saved_record(request, session, articles, article)
