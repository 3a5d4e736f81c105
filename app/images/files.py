"""An image's uploaded file as management sees it: the archive view on the record, the
original for download, and detaching the file from its image."""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from app.auth.dependencies import Principal
from app.container import services
from app.documents.images import image_file_public, rendition_links
from app.documents.refs import RefKind
from app.documents.store import refresh_embedding
from app.editing.crud import delete_record, saved_record
from app.editing.resource import Resource
from app.errors import NotFound
from app.http import etag_matches
from app.media.renditions import original_key, renditions_prefix
from app.media.storage import Storage
from app.models import Image, ImageFile

log = logging.getLogger("byline.images")

ARCHIVE_FIELDS = {"sha256", "bytes", "original_name", "uploaded_at", "uploaded_by"}


def file_extras(session: Session, rows: Sequence[Image], _now: datetime) -> list[dict[str, Any]]:
    """The `file` of each image's record; one query for the whole page."""
    files = {
        file.image_id: file
        for file in session.exec(
            select(ImageFile).where(col(ImageFile.image_id).in_([row.id for row in rows]))
        )
    }
    links = rendition_links(session)
    extras: list[dict[str, Any]] = []
    for row in rows:
        file = files.get(row.id or 0)
        if file is None or row.id is None:
            extras.append({"file": None})
            continue
        public = image_file_public(
            row.id, file, focal_x=row.focal_x, focal_y=row.focal_y, links=links
        )
        extras.append({"file": {**public.model_dump(), **file.model_dump(include=ARCHIVE_FIELDS)}})
    return extras


def _file(session: Session, ident: int) -> ImageFile:
    if session.get(Image, ident) is None:
        raise NotFound(f"No image has id {ident}.")
    file = session.get(ImageFile, ident)
    if file is None:
        raise NotFound(f"Image {ident} has no uploaded file.")
    return file


def content_disposition(name: str) -> str:
    """An attachment header naming the file safely: an ASCII fallback with quotes,
    backslashes and controls replaced, and the exact name per RFC 6266 / 5987."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def original_response(request: Request, session: Session, ident: int) -> Response:
    """The original as uploaded, streamed from the store, with its SHA-256 as ETag."""
    file = _file(session, ident)
    etag = f'"{file.sha256}"'
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, etag, weak=True):
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Authorization"})
    chunks = services(request).media.stream(original_key(ident, file.sha256))
    if chunks is None:
        log.error("image %s: the original %s is missing from the store", ident, file.sha256)
        raise NotFound(f"The original of image {ident} is missing from the image store.")
    name = file.original_name or f"image-{ident}.{file.media_type.rpartition('/')[2]}"
    return StreamingResponse(
        chunks,
        media_type=file.media_type,
        headers={
            "Content-Length": str(file.bytes),
            "Content-Disposition": content_disposition(name),
            "ETag": etag,
            "Vary": "Authorization",
            "X-Content-Type-Options": "nosniff",
        },
    )


def discard_files(storage: Storage, image_id: int, *, original_sha256: str | None) -> None:
    """Delete what a committed write left unused: an original and every rendition of the
    image. Best effort: the write stands, and a file left behind costs only space."""
    try:
        if original_sha256 is not None:
            storage.delete_prefix(original_key(image_id, original_sha256))
        storage.delete_prefix(renditions_prefix(image_id))
    except Exception:
        log.exception("image %s: files of an earlier upload could not be deleted", image_id)


def delete_with_files(
    request: Request,
    session: Session,
    resource: Resource[Image, Any, Any],
    ident: int,
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    """Delete the record as every record is deleted, then its original and renditions,
    whose versioned URLs would otherwise go on answering from the store."""
    file = session.get(ImageFile, ident)
    response = delete_record(session, resource, ident, principal=principal, if_match=if_match)
    if file is not None:
        discard_files(services(request).media, ident, original_sha256=file.sha256)
    return response


def detach_file(
    request: Request,
    session: Session,
    resource: Resource[Image, Any, Any],
    ident: int,
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    """Remove the file (the record stays); documents showing the image are re-rendered
    without it, then the original and renditions are deleted from the store."""
    file = _file(session, ident)
    row = resource.claim(session, ident, if_match, principal.name)
    session.delete(file)
    session.flush()
    refresh_embedding(session, RefKind.image, ident)
    response = saved_record(request, session, resource, row)
    discard_files(services(request).media, ident, original_sha256=file.sha256)
    return response
