"""An upload's file part, streamed from the request to a staging file as it arrives.

The body is parsed as it streams (python-multipart's push parser) and the one
part named `file` is written to disk chunk by chunk while it is hashed and
counted, so at any moment a request holds one network chunk of it in memory
(uvicorn reads 64 KiB at a time), never the file. Past the byte limit the upload
is refused at once, without reading the rest. Staging files live in a directory
of their own, never in the image store, and are deleted whatever the outcome.
"""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.errors import BadRequest, FieldError, ImageTooLarge, InvalidContent

FILE_FIELD = "file"
# What a client says when it does not know the type; not a claim about the bytes.
UNKNOWN_TYPE = "application/octet-stream"
MAX_NAME_LENGTH = 255
# A part's headers are a few hundred bytes; the parser would otherwise gather any
# amount of them in memory, up to the body limit.
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class StagedFile:
    path: Path
    sha256: str
    bytes: int
    # The part's Content-Type, None when it names no type.
    declared_type: str | None
    # The part's filename, reduced to a safe base name; None when it gives none.
    original_name: str | None


@contextmanager
def staging_file(directory: Path) -> Iterator[Path]:
    """A fresh, empty file in `directory`, deleted when the context ends."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _missing_part(message: str, error_type: str) -> InvalidContent:
    return InvalidContent(
        message,
        errors=[FieldError(location=["body", FILE_FIELD], message=message, type=error_type)],
    )


def safe_name(raw: str) -> str | None:
    """The base name of a client's filename: no directories (Windows browsers send
    C:\\fakepath\\...), no control characters, at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    cleaned = "".join(c for c in base if c.isprintable()).strip()[:MAX_NAME_LENGTH]
    return cleaned or None


class _FilePart:
    """The parser's callbacks: the part's headers checked as they end, its bytes
    written, hashed and counted as they come."""

    def __init__(self, target: BinaryIO, max_bytes: int) -> None:
        self.target = target
        self.max_bytes = max_bytes
        self.hash = hashlib.sha256()
        self.size = 0
        self.parts = 0
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.declared_type: str | None = None
        self.original_name: str | None = None
        self.complete = False

    def on_part_begin(self) -> None:
        self.parts += 1
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]
        self._bound_headers()

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]
        self._bound_headers()

    def _bound_headers(self) -> None:
        held = len(self.header_name) + len(self.header_value) + sum(map(len, self.headers))
        if held + sum(map(len, self.headers.values())) > MAX_HEADER_BYTES:
            raise BadRequest(f"A part's headers are limited to {MAX_HEADER_BYTES} bytes.")

    def on_header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        """Refuses a second part, or a first that is not the file, before its bytes."""
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name")
        if self.parts > 1:
            raise _missing_part(
                "Send exactly one part, the file; this body has more.", "extra_forbidden"
            )
        if name != FILE_FIELD.encode():
            raise _missing_part(
                f"Send the image as a part named {FILE_FIELD!r}; this part is named "
                f"{(name or b'').decode('latin-1')!r}.",
                "missing",
            )
        if b"filename" in options:
            self.original_name = safe_name(options[b"filename"].decode("utf-8", "replace"))
        media_type, _ = parse_options_header(self.headers.get(b"content-type", b""))
        declared = media_type.decode("latin-1").lower()
        self.declared_type = None if declared in {"", UNKNOWN_TYPE} else declared

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = memoryview(data)[start:end]
        self.size += len(piece)
        if self.size > self.max_bytes:
            raise ImageTooLarge(f"Image files are limited to {self.max_bytes} bytes.")
        self.hash.update(piece)
        self.target.write(piece)

    def on_end(self) -> None:
        self.complete = True


def _boundary(request: Request) -> bytes:
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise BadRequest(
            f"Send the image as multipart/form-data with one part named {FILE_FIELD!r}."
        )
    return boundary


async def receive_file(request: Request, path: Path, *, max_bytes: int) -> StagedFile:
    """Stream the request's one file part into `path`: ImageTooLarge past `max_bytes`,
    BadRequest for a body that is not multipart, InvalidContent without exactly one
    part named `file`."""
    boundary = _boundary(request)
    with path.open("wb") as target:
        part = _FilePart(target, max_bytes)
        try:
            parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": part.on_part_begin,
                    "on_header_field": part.on_header_field,
                    "on_header_value": part.on_header_value,
                    "on_header_end": part.on_header_end,
                    "on_headers_finished": part.on_headers_finished,
                    "on_part_data": part.on_part_data,
                    "on_end": part.on_end,
                },
            )
            async for chunk in request.stream():
                # Parsing writes the file: off the event loop, a chunk at a time.
                await run_in_threadpool(parser.write, chunk)
                if part.complete:
                    break
        except FormParserError as exc:
            raise BadRequest(f"The multipart body is malformed: {exc}.") from exc
    if part.parts == 0:
        raise _missing_part(f"The body has no part named {FILE_FIELD!r}.", "missing")
    if not part.complete:
        raise BadRequest("The multipart body ends before its closing boundary.")
    return StagedFile(
        path=path,
        sha256=part.hash.hexdigest(),
        bytes=part.size,
        declared_type=part.declared_type,
        original_name=part.original_name,
    )
