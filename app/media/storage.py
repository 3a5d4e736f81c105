"""Where image files are kept: one small interface, a local directory and S3.

Keys are relative paths such as "originals/42/<sha256>" (see app.media.renditions).
Every write is whole or absent: readers never see half a file.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
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


CHUNK_BYTES = 1024 * 1024


class LocalStorage:
    """Files under one directory, written to a temporary name and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or any(part in {"..", "."} for part in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    @contextmanager
    def _writing(self, key: str) -> Iterator[Path]:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        os.close(handle)
        try:
            yield Path(temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, source: Path, media_type: str) -> None:
        with self._writing(key) as temporary:
            shutil.copyfile(source, temporary)

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        with self._writing(key) as temporary:
            temporary.write_bytes(data)

    def read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def stream(self, key: str) -> Iterator[bytes] | None:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            return None

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK_BYTES):
                    yield chunk

        return chunks()

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise KeyError(key)
        yield path

    def delete_prefix(self, prefix: str) -> None:
        directory = self._path(prefix.rstrip("/"))
        if prefix.endswith("/"):
            shutil.rmtree(directory, ignore_errors=True)
            return
        for path in directory.parent.glob(f"{directory.name}*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)


def storage_from_settings(settings: Settings) -> Storage:
    return LocalStorage(settings.image_dir)
