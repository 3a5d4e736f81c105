"""Renditions kept in memory in front of the store: bounded, fresh, and dropped by the
writes and deletes of this process."""

from pathlib import Path

import pytest

from app.media.cache import CachedReads
from app.media.storage import LocalStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path)


def cached(store: LocalStorage, clock: Clock, max_bytes: int = 100) -> CachedReads:
    return CachedReads(store, max_bytes=max_bytes, max_file_bytes=40, seconds=60, clock=clock)


def test_a_read_is_answered_from_memory_until_it_expires(store: LocalStorage, clock: Clock) -> None:
    reads = cached(store, clock)
    store.put_bytes("r/1", b"first", "image/webp")
    assert reads.cached("r/1") is None  # nothing read yet
    assert reads.read("r/1") == b"first"
    # Written behind its back (as another worker would): memory still answers...
    store.put_bytes("r/1", b"other", "image/webp")
    assert reads.cached("r/1") == b"first"
    clock.now += 59
    assert reads.read("r/1") == b"first"
    # ...until the entry's minute is over.
    clock.now += 1
    assert reads.cached("r/1") is None
    assert reads.read("r/1") == b"other"


def test_the_least_recently_used_go_first_within_the_byte_bound(
    store: LocalStorage, clock: Clock
) -> None:
    reads = cached(store, clock, max_bytes=100)
    for key in ("a", "b", "c"):
        store.put_bytes(key, key.encode() * 40, "image/webp")
        reads.read(key)
    # 120 bytes asked for, 100 allowed: the oldest, "a", went.
    assert reads.cached("a") is None
    assert reads.cached("b") is not None  # now the most recent
    store.put_bytes("d", b"d" * 40, "image/webp")
    reads.read("d")
    assert reads.cached("c") is None
    assert reads.cached("b") == b"b" * 40
    assert reads.cached("d") == b"d" * 40


def test_a_large_file_is_read_but_not_kept(store: LocalStorage, clock: Clock) -> None:
    reads = cached(store, clock)
    store.put_bytes("big", b"x" * 41, "image/webp")
    assert reads.read("big") == b"x" * 41
    assert reads.cached("big") is None


def test_writes_and_deletes_through_it_drop_what_they_touch(
    store: LocalStorage, clock: Clock, tmp_path: Path
) -> None:
    reads = cached(store, clock)
    for key in ("renditions/4/v1/original/160.webp", "renditions/5/v1/original/160.webp"):
        store.put_bytes(key, b"old", "image/webp")
        reads.read(key)

    reads.put_bytes("renditions/5/v1/original/160.webp", b"new", "image/webp")
    assert reads.read("renditions/5/v1/original/160.webp") == b"new"
    reads.delete_prefix("renditions/4/")
    assert reads.cached("renditions/4/v1/original/160.webp") is None
    assert reads.read("renditions/4/v1/original/160.webp") is None
    source = tmp_path / "source"
    source.write_bytes(b"from a file")
    reads.put_file("renditions/5/v1/original/160.webp", source, "image/webp")
    assert reads.read("renditions/5/v1/original/160.webp") == b"from a file"


def test_a_missing_file_is_not_remembered(store: LocalStorage, clock: Clock) -> None:
    reads = cached(store, clock)
    assert reads.read("later") is None
    store.put_bytes("later", b"here now", "image/webp")
    assert reads.read("later") == b"here now"
