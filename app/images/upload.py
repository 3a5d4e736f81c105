"""Uploading the file of an image: staged, probed, stored, recorded, in that order.

1. The record must exist and If-Match must hold before a byte of the file is read.
2. The file part streams to a staging file (app.images.staging), hashed and counted.
3. probe() decodes it in a worker thread, under the app's bound on concurrent
   decoding (Services.image_work); a refusal ends the upload with nothing stored.
4. One write transaction claims the record's version, stores the original under its
   SHA-256, upserts the file's row, and saves the record (width and height from the
   file, empty credit, caption and photographer from what the file embeds), which
   re-renders the published documents that show it. If it fails, the original it
   stored is deleted; once committed, the previous original and every rendition of
   the previous file are.

Memory: a request holds one network chunk of the body at a time while staging,
and libvips' decoding buffers during probe(), bounded per worker by
IMAGE_PROCESSING_CONCURRENCY. The stores copy files in chunks too.
"""

import re
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.auth.dependencies import Principal
from app.config import Settings
from app.container import Services, get_write_session, read_in_thread, services
from app.editing.crud import saved_record
from app.editing.merge_patch import validate_patched
from app.editing.preconditions import claim_version, require_if_match
from app.editing.resource import Resource
from app.editing.responses import record_response
from app.images.files import discard_files
from app.images.schemas import ImageCreate, ImageRecord
from app.images.staging import StagedFile, receive_file, staging_file
from app.media.probe import Probed, probe
from app.media.renditions import original_key
from app.media.storage import Storage
from app.middleware import MAX_BODY_BYTES, BodyLimit
from app.models import Image, ImageFile

Images = Resource[Image, ImageCreate, ImageRecord]

UPLOAD_PATH = re.compile(r"/v1/manage/images/[^/]+/file")
# Room for the multipart framing around the file: boundaries and the part's headers.
MULTIPART_OVERHEAD = MAX_BODY_BYTES


# The record's fields an upload fills from the file's IPTC or XMP when they are empty;
# a value that does not fit the field (too long, blank) is left out, never cut.
def _field_adapter(name: str) -> TypeAdapter[Any]:
    annotation = ImageCreate.model_fields[name].annotation
    assert annotation is not None
    return TypeAdapter(annotation)


EMBEDDED = {name: _field_adapter(name) for name in ("credit_line", "caption", "photographer")}


def upload_body_limit(settings: Settings) -> BodyLimit:
    """The upload route's body limit: counted as it streams, never buffered."""
    return BodyLimit(UPLOAD_PATH, settings.image_max_bytes + MULTIPART_OVERHEAD, streamed=True)


async def upload_file(
    request: Request,
    resource: Images,
    ident: int,
    *,
    principal: Principal,
    if_match: str | None,
) -> Response:
    held = services(request)
    await read_in_thread(request, lambda session: _writable(session, resource, ident, if_match))
    with staging_file(held.settings.image_staging_dir) as path:
        staged = await receive_file(request, path, max_bytes=held.upload_limits.max_bytes)
        probed = await run_in_threadpool(_probe, held, staged)
        return await run_in_threadpool(
            _record, request, resource, ident, staged, probed, principal, if_match
        )


def _writable(session: Session, resource: Images, ident: int, if_match: str | None) -> None:
    """404, 428 or 412 now, so a refused upload never sends its file."""
    require_if_match(if_match, resource.etag(resource.load(session, ident)))


def _probe(held: Services, staged: StagedFile) -> Probed:
    with held.image_work:
        return probe(staged.path, held.upload_limits, declared_type=staged.declared_type)


def described(current: ImageCreate, probed: Probed) -> ImageCreate:
    """The record as the file describes it: its size, and what the photographer embedded
    in the fields an editor left empty."""
    document = current.model_dump(mode="json")
    document.update(width=probed.width, height=probed.height)
    for name, adapter in EMBEDDED.items():
        value = getattr(probed.embedded, name)
        if document[name] is None and value is not None:
            try:
                document[name] = adapter.validate_python(value)
            except ValueError:
                continue
    return validate_patched(ImageCreate, document)


def _record(
    request: Request,
    resource: Images,
    ident: int,
    staged: StagedFile,
    probed: Probed,
    principal: Principal,
    if_match: str | None,
) -> Response:
    held = services(request)
    with contextmanager(get_write_session)(request) as session:
        row = resource.load(session, ident)
        require_if_match(if_match, resource.etag(row))
        # The sha256, not the row: the upsert below writes the new values onto that row.
        previous = session.get(ImageFile, ident)
        previous_sha256 = None if previous is None else previous.sha256
        current = resource.content(session, row)
        data = described(current, probed)
        same_file = previous_sha256 == staged.sha256
        if same_file and data == current:
            # The same bytes again: nothing changes, the version and ETag stay.
            record = resource.record(session, row, now=held.clock(), content=current)
            return record_response(request, record, etag=resource.etag(row))
        # The claim comes first: a concurrent upload of the same bytes waits here, so it
        # can never delete an original this one committed.
        claim_version(session, row, kind=resource.kind, actor=principal.name)
        key = store_file(
            session, ident, staged, probed, media=held.media, actor=principal.name, now=held.clock()
        )
        try:
            row = resource.save(session, row, data, principal.name)
            response = saved_record(request, session, resource, row, content=data)
        except BaseException:
            if not same_file:
                held.media.delete_prefix(key)
            raise
    if previous_sha256 is not None and not same_file:
        discard_files(held.media, ident, original_sha256=previous_sha256)
    return response


def store_file(
    session: Session,
    ident: int,
    staged: StagedFile,
    probed: Probed,
    *,
    media: Storage,
    actor: str,
    now: datetime,
) -> str:
    """The image's file: its original stored under its SHA-256 unless the store holds
    it already, and its row written in `session`. Returns the original's key, for the
    caller to delete should its unit of work fail before the commit."""
    key = original_key(ident, staged.sha256)
    previous = session.get(ImageFile, ident)
    stored = previous is None or previous.sha256 != staged.sha256
    if stored:
        media.put_file(key, staged.path, probed.media_type)
    try:
        session.merge(
            ImageFile(
                image_id=ident,
                sha256=staged.sha256,
                media_type=probed.media_type,
                bytes=staged.bytes,
                width=probed.width,
                height=probed.height,
                orientation=probed.orientation,
                original_name=staged.original_name,
                placeholder=probed.placeholder,
                dominant_color=probed.dominant_color,
                uploaded_at=now,
                uploaded_by=actor,
            )
        )
    except BaseException:
        if stored:
            media.delete_prefix(key)
        raise
    return key
