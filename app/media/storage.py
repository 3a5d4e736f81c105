"""Where image files are kept: one small interface, a local directory and S3.

Keys are relative paths such as "originals/42/<sha256>" (see app.media.renditions).
Every write is whole or absent: readers never see half a file.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from app.config import Settings


class Storage(Protocol):
    def put_file(self, key: str, source: Path, media_type: str) -> None:
        """Store a local file under `key`, streamed (never read whole into memory)."""
        ...

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None: ...

    def read(self, key: str) -> bytes | None:
        """The whole file, or None when there is none; for small files (renditions)."""
        ...

    def stream(self, key: str) -> Iterator[bytes] | None:
        """The file in chunks, or None when there is none; for originals."""
        ...

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        """A local path holding the file while the context is open (the file itself for
        the local store, a temporary download for S3); KeyError when there is none."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Delete every key that starts with `prefix`."""
        ...

    def check(self) -> None:
        """Raise when the store cannot be reached (readiness)."""
        ...


def storage_from_settings(settings: Settings) -> Storage:
    raise NotImplementedError
