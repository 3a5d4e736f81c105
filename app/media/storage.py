"""Where image files are kept: one small interface, a local directory and S3.

Keys are relative paths such as "originals/42/<sha256>" (see app.media.renditions).
Every write is whole or absent: readers never see half a file.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from app.config import Settings
from app.errors import StorageUnavailable


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
        """Delete every key that starts with `prefix` (a string prefix: "renditions/4"
        covers renditions/42/ too; end it with "/" for one folder). Never empty."""
        ...

    def check(self) -> None:
        """Raise when the store cannot be reached (readiness)."""
        ...

    def close(self) -> None:
        """Release connections, when the app shuts down."""
        ...


CHUNK_BYTES = 1024 * 1024


def key_parts(key: str) -> tuple[str, ...]:
    """The parts of a key, which must be written one way only: relative, no empty, "." or
    ".." part. Both stores take the same keys, and none can leave the store's root."""
    parts = tuple(key.split("/"))
    if any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return parts


def prefix_parts(prefix: str) -> tuple[str, ...]:
    """A prefix is a key, or a key followed by "/"."""
    return key_parts(prefix.removesuffix("/"))


# A key that names a folder, or runs through a file as if it were one, holds no file:
# the same answer S3 gives, where folders do not exist.
_ABSENT = (FileNotFoundError, IsADirectoryError, NotADirectoryError)


class LocalStorage:
    """Files under one directory, written to a temporary name and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key_parts(key))

    @contextmanager
    def _writing(self, key: str) -> Iterator[Path]:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        os.close(handle)
        try:
            yield Path(temporary)
            # On disk before the name: else a crash can leave the key naming an empty file.
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
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
        except _ABSENT:
            return None

    def stream(self, key: str) -> Iterator[bytes] | None:
        try:
            handle = self._path(key).open("rb")
        except _ABSENT:
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
        directory = self.root.joinpath(*prefix_parts(prefix))
        if prefix.endswith("/"):
            shutil.rmtree(directory, ignore_errors=True)
            return
        siblings = directory.parent.iterdir() if directory.parent.is_dir() else iter(())
        for path in siblings:
            if not path.name.startswith(directory.name):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(
                f"The image directory cannot be used: {exc.strerror}."
            ) from exc

    def close(self) -> None:
        """Nothing is held open between calls."""


def storage_from_settings(settings: Settings) -> Storage:
    if settings.image_storage == "s3":
        # Imported only here: boto3 and its client cost each worker about 40 MB and
        # up to half a second to start, for nothing when the files are local.
        from app.media.s3 import S3Storage

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.image_dir)
