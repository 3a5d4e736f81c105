"""The image stores keep one contract: a local directory and S3 (moto's server on loopback).

Files go in whole or not at all, come back byte for byte, stream in bounded chunks, and
a store that cannot be reached answers as a 503 rather than as a bug.
"""

import hashlib
import random
import resource
import signal
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError
from pydantic import ValidationError

from app.config import Settings, setting_errors
from app.errors import StorageUnavailable
from app.media.s3 import S3Storage
from app.media.storage import CHUNK_BYTES, LocalStorage, Storage, storage_from_settings
from tests.processes import free_port

MB = 1024 * 1024
# Over the 8 MiB past which S3 uploads go in parts.
BIG_BYTES = 12 * MB
# One attempt, short waits: an unreachable store is known at once.
IMPATIENT = Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1})


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    s3: S3Storage = request.getfixturevalue("s3_storage")
    return s3


@dataclass(frozen=True)
class BigFile:
    path: Path
    sha256: str


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> BigFile:
    data = random.Random(11).randbytes(BIG_BYTES)
    path = tmp_path_factory.mktemp("big") / "big.bin"
    path.write_bytes(data)
    return BigFile(path, hashlib.sha256(data).hexdigest())


def test_bytes_put_come_back_by_read_stream_and_local_copy(storage: Storage) -> None:
    storage.put_bytes("renditions/7/v1/original/320.webp", b"RIFF-webp", "image/webp")

    assert storage.read("renditions/7/v1/original/320.webp") == b"RIFF-webp"
    chunks = storage.stream("renditions/7/v1/original/320.webp")
    assert chunks is not None
    assert b"".join(chunks) == b"RIFF-webp"
    with storage.local_copy("renditions/7/v1/original/320.webp") as path:
        assert path.read_bytes() == b"RIFF-webp"


def test_a_second_put_replaces_the_first(storage: Storage, tmp_path: Path) -> None:
    storage.put_bytes("originals/7/a", b"first", "image/jpeg")
    source = tmp_path / "second.jpeg"
    source.write_bytes(b"second")

    storage.put_file("originals/7/a", source, "image/jpeg")

    assert storage.read("originals/7/a") == b"second"


def test_a_missing_key_is_none_or_key_error(storage: Storage) -> None:
    storage.put_bytes("originals/7/a", b"x", "image/jpeg")

    # Neither a key never written nor the folder above one holds a file.
    for key in ("originals/8/a", "originals/7"):
        assert storage.read(key) is None
        assert storage.stream(key) is None
        with pytest.raises(KeyError), storage.local_copy(key):
            pass


def test_a_big_file_goes_up_from_disk_and_comes_back_identical(
    storage: Storage, big_file: BigFile
) -> None:
    storage.put_file("originals/7/big", big_file.path, "image/jpeg")

    chunks = storage.stream("originals/7/big")
    assert chunks is not None
    streamed = hashlib.sha256()
    sizes = []
    for chunk in chunks:
        streamed.update(chunk)
        sizes.append(len(chunk))
    assert streamed.hexdigest() == big_file.sha256
    assert max(sizes) <= CHUNK_BYTES
    with storage.local_copy("originals/7/big") as path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == big_file.sha256


def test_putting_a_file_never_holds_it_in_memory(storage: Storage, big_file: BigFile) -> None:
    tracemalloc.start()
    try:
        storage.put_file("originals/7/big", big_file.path, "image/jpeg")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The S3 client reads a part in 1 MiB blocks to sign and send it, two parts at once
    # here: about 4 MB. The file held whole would be 12, one of its 8 MiB parts 8.
    assert peak < BIG_BYTES / 2, f"{peak / MB:.1f} MB held for a {BIG_BYTES / MB:.0f} MB file"


def test_delete_prefix_deletes_what_starts_with_it(storage: Storage) -> None:
    keys = [
        "renditions/7/v1/original/320.webp",
        "renditions/7/v2/16x9/320.jpeg",
        "renditions/70/v1/original/320.webp",
        "originals/7/a",
    ]
    for key in keys:
        storage.put_bytes(key, key.encode(), "application/octet-stream")

    storage.delete_prefix("renditions/7/")
    assert [key for key in keys if storage.read(key) is not None] == [
        "renditions/70/v1/original/320.webp",
        "originals/7/a",
    ]

    # Without the slash, a prefix of names: renditions/7 covers renditions/70 too.
    storage.delete_prefix("renditions/7")
    assert [key for key in keys if storage.read(key) is not None] == ["originals/7/a"]

    storage.delete_prefix("renditions/9/")  # nothing there: nothing to do


@pytest.mark.parametrize(
    "key", ["../escaped", "/etc/passwd", "originals/../../escaped", "a//b", "a/./b", "a/", ""]
)
def test_a_key_written_any_other_way_is_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        storage.put_bytes(key, b"x", "image/jpeg")
    with pytest.raises(ValueError, match="not a storage key"):
        storage.read(key)


@pytest.mark.parametrize("prefix", ["", "/", "../", "a/../"])
def test_delete_prefix_refuses_everything_and_outside(storage: Storage, prefix: str) -> None:
    storage.put_bytes("originals/7/a", b"kept", "image/jpeg")

    with pytest.raises(ValueError, match="not a storage key"):
        storage.delete_prefix(prefix)

    assert storage.read("originals/7/a") == b"kept"


def test_the_local_store_keeps_within_its_directory(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")

    with pytest.raises(ValueError, match="not a storage key"):
        storage.put_bytes("../escaped", b"x", "image/jpeg")

    assert list(tmp_path.iterdir()) == []


@dataclass(frozen=True)
class Breakage:
    """A write of the big file that fails halfway, the error it raises, and what a
    half-done write would have left behind."""

    during: Callable[[], AbstractContextManager[None]]
    error: type[Exception]
    leftovers: Callable[[], list[str]]


@pytest.fixture
def breakage(storage: Storage) -> Breakage:
    if isinstance(storage, LocalStorage):
        root = storage.root
        return Breakage(
            lambda: _files_limited_to(MB),
            OSError,
            lambda: [str(path) for path in root.rglob("*") if path.name.startswith(".partial")],
        )
    assert isinstance(storage, S3Storage)
    s3 = storage

    @contextmanager
    def second_part_lost() -> Iterator[None]:
        def lose(params: dict[str, Any], **_: Any) -> None:
            if params.get("PartNumber") == 2:
                raise ConnectionClosedError(endpoint_url="the test")

        s3.client.meta.events.register("provide-client-params.s3.UploadPart", lose)
        try:
            yield
        finally:
            s3.client.meta.events.unregister("provide-client-params.s3.UploadPart", lose)

    def pending_uploads() -> list[str]:
        found = s3.client.list_multipart_uploads(Bucket=s3.bucket, Prefix=s3.prefix)
        return [upload["Key"] for upload in found.get("Uploads", [])]

    return Breakage(second_part_lost, StorageUnavailable, pending_uploads)


@contextmanager
def _files_limited_to(size: int) -> Iterator[None]:
    """No file of this process can grow past `size` bytes, as on a disk that fills up."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # Past the limit a write fails with EFBIG, instead of the signal ending the process.
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_write_that_fails_halfway_leaves_the_key_as_it_was(
    storage: Storage, breakage: Breakage, big_file: BigFile
) -> None:
    storage.put_bytes("originals/7/big", b"before", "image/jpeg")

    with breakage.during(), pytest.raises(breakage.error):
        storage.put_file("originals/7/big", big_file.path, "image/jpeg")

    assert storage.read("originals/7/big") == b"before"
    assert breakage.leftovers() == []


def test_a_new_key_that_fails_halfway_is_absent(
    storage: Storage, breakage: Breakage, big_file: BigFile
) -> None:
    with breakage.during(), pytest.raises(breakage.error):
        storage.put_file("originals/7/big", big_file.path, "image/jpeg")

    assert storage.read("originals/7/big") is None
    assert breakage.leftovers() == []


def test_s3_objects_carry_their_media_type(s3_storage: S3Storage, tmp_path: Path) -> None:
    source = tmp_path / "small.avif"
    source.write_bytes(b"avif")
    s3_storage.put_bytes("renditions/7/v1/original/320.webp", b"webp", "image/webp")
    s3_storage.put_file("originals/7/a", source, "image/avif")

    def media_type(key: str) -> str:
        head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=s3_storage.prefix + key)
        found: str = head["ContentType"]
        return found

    assert media_type("renditions/7/v1/original/320.webp") == "image/webp"
    assert media_type("originals/7/a") == "image/avif"


def test_s3_keys_go_under_the_prefix_with_or_without_its_slash(
    s3_settings: dict[str, Any],
) -> None:
    storage = S3Storage.from_settings(Settings(**s3_settings | {"s3_prefix": "nested/byline"}))
    try:
        storage.put_bytes("originals/7/a", b"x", "image/jpeg")
        listed = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix="nested/")
        assert [item["Key"] for item in listed["Contents"]] == ["nested/byline/originals/7/a"]
    finally:
        storage.delete_prefix("originals/")
        storage.close()


@contextmanager
def s3_storage_at(s3_settings: dict[str, Any], **changes: Any) -> Iterator[S3Storage]:
    storage = S3Storage.from_settings(Settings(**s3_settings | changes), config=IMPATIENT)
    try:
        yield storage
    finally:
        storage.close()


def _operations(source: Path) -> dict[str, Callable[[Storage], object]]:
    def copy(storage: Storage) -> None:
        with storage.local_copy("originals/7/a"):
            pass

    return {
        "put_file": lambda storage: storage.put_file("originals/7/a", source, "image/jpeg"),
        "put_bytes": lambda storage: storage.put_bytes("originals/7/a", b"x", "image/jpeg"),
        "read": lambda storage: storage.read("originals/7/a"),
        "stream": lambda storage: storage.stream("originals/7/a"),
        "local_copy": copy,
        "delete_prefix": lambda storage: storage.delete_prefix("originals/7/"),
        "check": lambda storage: storage.check(),
    }


@pytest.mark.parametrize("operation", list(_operations(Path())))
def test_an_unreachable_s3_store_is_a_503(
    s3_settings: dict[str, Any], tmp_path: Path, operation: str
) -> None:
    source = tmp_path / "a.jpeg"
    source.write_bytes(b"jpeg")
    closed = f"http://127.0.0.1:{free_port()}"

    with (
        s3_storage_at(s3_settings, s3_endpoint_url=closed) as storage,
        pytest.raises(StorageUnavailable) as raised,
    ):
        _operations(source)[operation](storage)

    assert raised.value.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert raised.value.slug == "storage-unavailable"
    assert raised.value.detail == "The image store cannot be reached; try again shortly."
    assert raised.value.headers["Retry-After"] == "5"


class _SlowDown(BaseHTTPRequestHandler):
    """An S3 endpoint past its request rate: every read answers 503 SlowDown."""

    def do_GET(self) -> None:
        body = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test's output is no place for an access log


@pytest.fixture
def slow_down_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowDown)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_s3_server_error_is_a_503(s3_settings: dict[str, Any], slow_down_endpoint: str) -> None:
    with (
        s3_storage_at(s3_settings, s3_endpoint_url=slow_down_endpoint) as storage,
        pytest.raises(StorageUnavailable) as raised,
    ):
        storage.read("originals/7/a")

    assert raised.value.detail == "The image store answered 503 SlowDown; try again shortly."


def test_an_s3_store_is_ready_with_its_bucket_only(
    s3_settings: dict[str, Any], s3_storage: S3Storage
) -> None:
    s3_storage.check()

    with (
        s3_storage_at(s3_settings, s3_bucket="no-such-bucket") as storage,
        pytest.raises(StorageUnavailable, match="'no-such-bucket' cannot be used"),
    ):
        storage.check()


def test_a_local_store_is_unready_where_its_directory_cannot_be(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")

    with pytest.raises(StorageUnavailable, match="The image directory cannot be used"):
        LocalStorage(tmp_path / "file" / "media").check()


def test_settings_choose_the_store(s3_settings: dict[str, Any], tmp_path: Path) -> None:
    local = storage_from_settings(Settings(image_dir=tmp_path))
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path

    s3 = storage_from_settings(Settings(**s3_settings, s3_prefix="byline/"))
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == (s3_settings["s3_bucket"], "byline/")
    s3.check()
    s3.close()


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            {"image_storage": "s3"},
            "invalid setting S3_BUCKET=null: IMAGE_STORAGE=s3 needs a bucket: set S3_BUCKET",
        ),
        (
            {"s3_access_key_id": "AKIDEXAMPLE"},
            "invalid setting S3_ACCESS_KEY_ID=AKIDEXAMPLE: "
            "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither",
        ),
        # The secret alone: the line names the missing key id, never the secret.
        (
            {"s3_secret_access_key": "wJalrXUtnFEMI"},
            "invalid setting S3_ACCESS_KEY_ID=null: "
            "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither",
        ),
    ],
)
def test_s3_settings_that_cannot_work_are_one_line_each(
    settings: dict[str, str], line: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**settings)  # type: ignore[arg-type]

    assert setting_errors(raised.value) == [line]
