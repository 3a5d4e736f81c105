"""Managing images, their credits and who they show, under /v1/manage/images."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.dependencies import Reader, Writer
from app.auth.scopes import Scope
from app.container import SessionDep, WriteSessionDep, services
from app.documents.refs import RefKind
from app.editing import crud, descriptions
from app.editing.idempotency import IdempotencyKey
from app.editing.merge_patch import MergePatch
from app.editing.preconditions import IfMatch
from app.editing.resource import IdentPath, Resource
from app.editing.responses import ManagementRoute, manage_description, manage_responses
from app.images import upload
from app.images.files import delete_with_files, detach_file, file_extras, original_response
from app.images.schemas import ImageCreate, ImageRecord, ImageRecordPage
from app.images.service import image_contents, image_references, write_image
from app.images.serving import stale_renditions_discarded
from app.media.probe import ACCEPTED
from app.models import Image
from app.pagination import DEFAULT_LIMIT, CursorParam, Limit

images = Resource(
    kind="image",
    row=Image,
    create_schema=ImageCreate,
    record_schema=ImageRecord,
    references=image_references,
    write=write_image,
    contents=image_contents,
    ref_kind=RefKind.image,
    extras=file_extras,
)

router = APIRouter(route_class=ManagementRoute, prefix="/images", tags=["manage: images"])


@router.post(
    "",
    operation_id="createImage",
    summary="Create an image",
    description=manage_description(
        "Creates an image and returns its record (201) with its ETag and Location.",
        descriptions.SHOWN_ONCE_PUBLISHED,
        descriptions.IDEMPOTENT_CREATE,
        scope=Scope.content_write,
    ),
    status_code=201,
    response_model=ImageRecord,
    responses=manage_responses(409, 413, 422),
)
def create_image(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    data: ImageCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    return crud.create_record(
        request, session, images, data, principal=principal, idempotency_key=idempotency_key
    )


@router.get(
    "",
    operation_id="listManagedImages",
    summary="List all images, newest first",
    description=manage_description(
        "All images as editors see them, whether or not readers can, "
        "newest first and paged by cursor.",
        scope=Scope.content_read,
    ),
    response_model=ImageRecordPage,
    responses=manage_responses(400, 422),
)
def list_images(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    return crud.list_records(request, session, images, limit=limit, cursor=cursor)


@router.get(
    "/{ident}",
    operation_id="getManagedImage",
    summary="Get an image as editors see it",
    description=manage_description(
        "The record of an image, whether or not readers can see it, with "
        "its version and who created and last changed it.",
        descriptions.READ_ETAG,
        scope=Scope.content_read,
    ),
    response_model=ImageRecord,
    responses=manage_responses(404, 422),
)
def get_image(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return crud.read_record(request, session, images, ident)


@router.put(
    "/{ident}",
    operation_id="replaceImage",
    summary="Replace an image",
    description=manage_description(
        descriptions.REPLACE,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=ImageRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def replace_image(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    data: ImageCreate,
    if_match: IfMatch = None,
) -> Response:
    with stale_renditions_discarded(session, services(request).media, ident):
        return crud.replace_record(
            request, session, images, ident, data, principal=principal, if_match=if_match
        )


@router.patch(
    "/{ident}",
    operation_id="updateImage",
    summary="Change some fields of an image (merge patch)",
    description=manage_description(
        descriptions.MERGE_PATCH,
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=ImageRecord,
    responses=manage_responses(404, 409, 412, 413, 422, 428),
)
def update_image(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    merge_patch: MergePatch,
    if_match: IfMatch = None,
) -> Response:
    with stale_renditions_discarded(session, services(request).media, ident):
        return crud.patch_record(
            request, session, images, ident, merge_patch, principal=principal, if_match=if_match
        )


@router.delete(
    "/{ident}",
    operation_id="deleteImage",
    summary="Delete an image",
    description=manage_description(
        "Deletes an image and answers 204 with no body; its uploaded file and renditions "
        "are deleted from the store with it.",
        descriptions.KEPT_WHILE_USED,
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    status_code=204,
    response_model=None,
    responses=manage_responses(404, 409, 412, 422, 428),
)
def delete_image(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    if_match: IfMatch = None,
) -> Response:
    return delete_with_files(
        request, session, images, ident, principal=principal, if_match=if_match
    )


ACCEPTED_TYPES = ", ".join(ACCEPTED.values())


def _upload_responses() -> dict[int | str, Any]:
    responses = manage_responses(400, 404, 412, 413, 415, 422, 428)
    responses[413] = {
        **responses[413],
        "description": "The file is over IMAGE_MAX_BYTES, or its header claims more than "
        "IMAGE_MAX_PIXELS pixels; nothing is stored",
    }
    responses[415] = {
        **responses[415],
        "description": "Not a still JPEG, PNG, WebP or AVIF (SVG, GIF, an animation...), or "
        "bytes that disagree with the part's Content-Type; nothing is stored",
    }
    responses[422] = {
        **responses[422],
        "description": "No part named `file`, another part beside it, or a file that does "
        "not decode to its end (truncated, or data after the image); nothing is stored",
    }
    return responses


@router.put(
    "/{ident}/file",
    operation_id="uploadImageFile",
    summary="Upload the file of an image",
    description=manage_description(
        "Stores the image's file, sent as multipart/form-data with one part named `file`: "
        f"{ACCEPTED_TYPES}, decided by decoding the bytes, never by the name or the "
        "part's Content-Type (a Content-Type that disagrees with the bytes is a 415). The "
        "original is kept byte for byte; width, height and orientation come from the file, "
        "and the credit line, caption and photographer embedded in it (IPTC or XMP) fill "
        "those fields where they are empty, never over what an editor wrote. Returns the "
        "record, with its `file`, and its new ETag; the same bytes again change nothing and "
        "keep the version. A new file gives every rendition a new URL.",
        descriptions.RERENDERED_ON_SAVE,
        descriptions.IF_MATCH,
        "A missing image or a failed If-Match is answered before the file is read.",
        scope=Scope.content_write,
    ),
    response_model=ImageRecord,
    responses=_upload_responses(),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "The image file; its file name is kept as "
                                "`original_name`.",
                            }
                        },
                        "additionalProperties": False,
                    },
                    "encoding": {"file": {"contentType": ACCEPTED_TYPES}},
                }
            },
        }
    },
)
async def upload_image_file(
    request: Request, principal: Writer, ident: IdentPath, if_match: IfMatch = None
) -> Response:
    # The body is read here, streamed to disk: no session is held while it arrives.
    return await upload.upload_file(request, images, ident, principal=principal, if_match=if_match)


@router.get(
    "/{ident}/file",
    operation_id="getImageFile",
    summary="Download the original file of an image",
    description=manage_description(
        "The original exactly as uploaded, streamed, with its media type, Content-Length "
        "and its file name in Content-Disposition. Its ETag is the SHA-256 of the bytes; "
        "`If-None-Match` with it answers 304. 404 when the image has no file.",
        scope=Scope.content_read,
    ),
    response_class=Response,
    responses={
        200: {
            "description": "The original file",
            "content": {media_type: {} for media_type in ACCEPTED.values()},
        },
        **manage_responses(404, 422),
    },
)
def get_image_file(
    request: Request, session: SessionDep, _principal: Reader, ident: IdentPath
) -> Response:
    return original_response(request, session, ident)


@router.delete(
    "/{ident}/file",
    operation_id="deleteImageFile",
    summary="Remove the file of an image",
    description=manage_description(
        "Removes the uploaded file and its renditions and returns the record, without its "
        "`file`, and its new ETag; the image record stays. Allowed while published articles "
        "show the image (a takedown must not wait on editing them): they are re-rendered "
        "without the file at once, and its rendition URLs answer 404.",
        descriptions.IF_MATCH,
        scope=Scope.content_write,
    ),
    response_model=ImageRecord,
    responses=manage_responses(404, 412, 422, 428),
)
def delete_image_file(
    request: Request,
    session: WriteSessionDep,
    principal: Writer,
    ident: IdentPath,
    if_match: IfMatch = None,
) -> Response:
    return detach_file(request, session, images, ident, principal=principal, if_match=if_match)
