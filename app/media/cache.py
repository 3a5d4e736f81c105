"""Recently read small files, kept in memory in front of a store.

A stored rendition never changes under its key (the key carries the version), so the
files most asked for can be answered from memory: no open and read of a local file,
no round trip to S3. Writes and deletes through this process drop what they touch at
once. Another worker's delete is seen when the entry expires, so an entry lives only
`seconds`: a CDN in front keeps the same file far longer anyway.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from app.media.storage import LocalStorage, Storage


class CachedReads:
    """A Storage whose reads of files up to `max_file_bytes` are kept, least recently
    used first out, within `max_bytes` in all."""

    def __init__(
        self,
        inner: Storage,
        *,
        max_bytes: int,
        max_file_bytes: int,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.max_bytes = max_bytes
        self.max_file_bytes = min(max_file_bytes, max_bytes)
        self.seconds = seconds
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = 0
        # Reads come from the event loop and from threads (renders, remote reads).
        self._lock = threading.Lock()

    @property
    def reads_locally(self) -> bool:
        """Whether a read that misses is a local file read, cheap enough for the loop."""
        return isinstance(self.inner, LocalStorage)

    def cached(self, key: str) -> bytes | None:
        """The file if it is in memory and fresh: never touches the store."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, data = entry
            if expires <= self.clock():
                self._forget(key)
                return None
            self._entries.move_to_end(key)
            return data

    def read(self, key: str) -> bytes | None:
        data = self.cached(key)
        if data is not None:
            return data
        data = self.inner.read(key)
        if data is not None and len(data) <= self.max_file_bytes:
            self._keep(key, data)
        return data

    def _keep(self, key: str, data: bytes) -> None:
        with self._lock:
            self._forget(key)
            self._entries[key] = (self.clock() + self.seconds, data)
            self._size += len(data)
            while self._size > self.max_bytes:
                self._forget(next(iter(self._entries)))

    def _forget(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= len(entry[1])

    def _drop(self, prefix: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key.startswith(prefix)]:
                self._forget(key)

    def put_file(self, key: str, source: Path, media_type: str) -> None:
        self.inner.put_file(key, source, media_type)
        self._drop(key)

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        self.inner.put_bytes(key, data, media_type)
        self._drop(key)

    def stream(self, key: str) -> Iterator[bytes] | None:
        return self.inner.stream(key)

    def local_copy(self, key: str) -> AbstractContextManager[Path]:
        return self.inner.local_copy(key)

    def delete_prefix(self, prefix: str) -> None:
        # Dropped first: a read racing the delete may keep a copy, for `seconds` at most.
        self._drop(prefix)
        self.inner.delete_prefix(prefix)
        self._drop(prefix)

    def check(self) -> None:
        self.inner.check()

    def close(self) -> None:
        self.inner.close()
