"""Serving renditions: the allowlist, rendering each file once into the store, and the
headers that the route and the edge's fast path both send.

A versioned URL (`?v=` the current version) is a capability: the version is derived
from the file's SHA-256, is unguessable, and appears only in documents (and, for a
draft's image, to editors), so it is served without asking whether readers may see
the image, and cached for a year: the bytes behind it never change. Without a
version, or with one an edit has replaced, the image must be visible to readers and
the current file is served with the ordinary public lifetimes.
"""

import asyncio
import logging
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from threading import BoundedSemaphore

from sqlmodel import Session, col, select

from app.documents import queries
from app.documents.refs import RefKind, surrogate_key
from app.errors import NotFound
from app.media.cache import CachedReads
from app.media.render import render
from app.media.renditions import (
    FORMATS,
    ORIGINAL,
    Rendition,
    RenditionRules,
    original_key,
    rendition_key,
    renditions_prefix,
    version,
)
from app.media.storage import LocalStorage, Storage
from app.models import Image, ImageFile

log = logging.getLogger("byline.images")
IMMUTABLE = "public, max-age=31536000, immutable"
_VERSION_QUERY = re.compile(rb"v=([0-9a-f]{16})")
_PATH = re.compile(r"/v1/images/([1-9][0-9]{0,9})(?:/([^/]+))?/w/([0-9]{1,5})\.([a-z]+)")
# Keys being rendered in this process: concurrent first requests render once.
_rendering: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()


def requested(rules: RenditionRules, crop: str | None, width: int, format: str) -> Rendition:
    """The rendition a URL asks for (`crop` None for the original shape); 404 naming what
    is served when the allowlist has no such crop, width or format."""
    if crop is not None and crop not in rules.ratios:
        served = ", ".join(rules.ratios)
        raise NotFound(
            f"No crop {crop!r} is served: the crops are {served}, "
            "and URLs without one give the original shape."
        )
    if width not in rules.widths:
        served = ", ".join(str(w) for w in rules.widths)
        raise NotFound(f"No rendition is {width} pixels wide: the widths served are {served}.")
    if format not in FORMATS:
        raise NotFound(f"No format {format!r} is served: the formats are {', '.join(FORMATS)}.")
    return Rendition(crop or ORIGINAL, width, format)


@dataclass(frozen=True, slots=True)
class CurrentFile:
    """An image's file as renditions are made from it now."""

    image_id: int
    sha256: str
    focal_x: float | None
    focal_y: float | None
    version: str


def current_file(session: Session, image_id: int, asked: str | None, now: datetime) -> CurrentFile:
    """The file whose renditions a request gets: any image's for its current version, a
    visible image's otherwise; 404 when there is none or readers may not see it."""
    row = session.exec(
        select(ImageFile.sha256, Image.focal_x, Image.focal_y)
        .join(Image, col(Image.id) == col(ImageFile.image_id))
        .where(col(ImageFile.image_id) == image_id)
    ).first()
    unseen = NotFound(f"No published content shows an image with id {image_id} and a file.")
    if row is None:
        raise unseen
    sha256, focal_x, focal_y = row
    current = CurrentFile(image_id, sha256, focal_x, focal_y, version(sha256, focal_x, focal_y))
    if asked != current.version and not queries.is_visible(session, RefKind.image, image_id, now):
        raise unseen
    return current


def rendition_etag(version: str, rendition: Rendition) -> str:
    """Strong: the version names the original and the focal point, and the rendition the
    rest, so one tag names one stored file. No hashing of the bytes on every request."""
    return f'"{version}-{rendition.crop}-{rendition.width}-{rendition.format}"'


def rendition_headers(image_id: int, etag: str, cache_control: str) -> dict[str, str]:
    """What every answer with a rendition (200 or 304) carries, on either path."""
    return {
        "ETag": etag,
        "Cache-Control": cache_control,
        "Surrogate-Key": surrogate_key("image", image_id),
        "X-Content-Type-Options": "nosniff",
    }


async def read_stored(storage: Storage, key: str) -> bytes | None:
    """A stored rendition, or None: from memory when it is there. A local file of this
    size, most likely in the page cache, costs less to read than a hop to a thread
    would; a remote store is read in a thread, so the event loop never waits on the
    network."""
    if isinstance(storage, CachedReads):
        data = storage.cached(key)
        if data is not None:
            return data
        local = storage.reads_locally
    else:
        local = isinstance(storage, LocalStorage)
    if local:
        return storage.read(key)
    return await asyncio.to_thread(storage.read, key)


async def rendition_bytes(
    storage: Storage, work: BoundedSemaphore, file: CurrentFile, rendition: Rendition
) -> bytes:
    """The rendition's file from the store, rendered and stored first if it is not there.

    Decoding takes memory in proportion to the original, so rendering waits for one of
    the `work` slots that uploads take too; it runs in a thread, beside the event loop."""
    key = rendition_key(file.image_id, file.version, rendition)
    body = await read_stored(storage, key)
    if body is not None:
        return body
    lock = _rendering.setdefault(key, asyncio.Lock())
    async with lock:
        # Whoever held the lock before has stored it.
        body = await read_stored(storage, key)
        if body is None:
            body = await asyncio.to_thread(_render_and_store, storage, work, file, rendition, key)
    return body


def _render_and_store(
    storage: Storage, work: BoundedSemaphore, file: CurrentFile, rendition: Rendition, key: str
) -> bytes:
    with work:
        try:
            with storage.local_copy(original_key(file.image_id, file.sha256)) as source:
                body = render(source, rendition, focal_x=file.focal_x, focal_y=file.focal_y)
        except KeyError:
            # Replaced by an upload committed since this request read the database.
            raise NotFound(f"Image {file.image_id} has a newer file.") from None
    storage.put_bytes(key, body, FORMATS[rendition.format])
    return body


@dataclass(frozen=True, slots=True)
class VersionedURL:
    image_id: int
    version: str
    rendition: Rendition

    @property
    def template(self) -> str:
        """The route's path template, for metrics."""
        crop = "" if self.rendition.crop == ORIGINAL else "/{crop}"
        return "/v1/images/{image_id}" + crop + "/w/{width}.{format}"


def versioned_url(path: str, query: bytes, rules: RenditionRules) -> VersionedURL | None:
    """The allowed rendition a versioned URL names, for the fast path; None for anything
    else (the full stack answers, refusals included)."""
    version_match = _VERSION_QUERY.fullmatch(query)
    path_match = _PATH.fullmatch(path)
    if version_match is None or path_match is None:
        return None
    image_id, crop, width, format = path_match.groups()
    if crop == ORIGINAL:
        return None  # the original shape's URLs name no crop
    rendition = Rendition(crop or ORIGINAL, int(width), format)
    if not rules.allows(rendition):
        return None
    return VersionedURL(int(image_id), version_match[1].decode(), rendition)


def _focal_version(session: Session, image_id: int) -> str | None:
    image, file = session.get(Image, image_id), session.get(ImageFile, image_id)
    if image is None or file is None:
        return None
    return version(file.sha256, image.focal_x, image.focal_y)


@contextmanager
def stale_renditions_discarded(session: Session, storage: Storage, image_id: int) -> Iterator[None]:
    """Around a committed edit of an image's record: when it moved the focal point, the
    renditions of the version before are deleted (their URLs are no longer in any
    document). Nothing is deleted when the edit fails."""
    before = _focal_version(session, image_id)
    yield
    if before is not None and _focal_version(session, image_id) != before:
        try:
            storage.delete_prefix(f"{renditions_prefix(image_id)}{before}/")
        except Exception:
            # The edit stands; files left behind cost only space.
            log.exception(
                "image %s: renditions of version %s could not be deleted", image_id, before
            )
