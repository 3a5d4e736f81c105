"""The image store on S3 or an S3-compatible server (MinIO, Ceph, R2), through boto3.

One client serves every thread (boto3 clients are thread-safe; its sessions are not,
hence a session of its own to build it). A store that cannot be reached, or answers
with a server error once boto3's retries are spent, raises StorageUnavailable: a 503
with Retry-After, like a database outage. A missing key is an answer, not an outage.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, ReadTimeoutError
from botocore.exceptions import ConnectionError as Unreachable

from app.config import Settings
from app.errors import StorageUnavailable
from app.media.storage import CHUNK_BYTES, key_parts, prefix_parts

# Connecting takes milliseconds on a working network; 5 s means it is not working.
# A read waits for the first byte of an answer (or the next one of a body), which a
# healthy store sends within a second. Three attempts, with boto3's jittered backoff
# between them (about 3 s at most), ride out a dropped connection or a 503 SlowDown.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=20,
    retries={"mode": "standard", "total_max_attempts": 3},
)
# Files over 8 MiB go up in 8 MiB parts, four at a time: each part is read from disk
# as it is sent, never gathered in memory.
TRANSFER_CONFIG = TransferConfig(max_concurrency=4)
MISSING_CODES = frozenset({"NoSuchKey", "404"})


class S3Storage:
    """Objects under an optional prefix in one bucket; an upload is visible whole or not
    at all (S3 shows a multipart upload only once it is complete)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        # "byline" and "byline/" both mean the folder byline/.
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    @classmethod
    def from_settings(cls, settings: Settings, *, config: Config = CLIENT_CONFIG) -> "S3Storage":
        if settings.s3_bucket is None:
            raise ValueError("the S3 image store needs S3_BUCKET")
        if settings.s3_endpoint_url is not None:
            # S3-compatible servers take bucket names in the path (a bucket's own host
            # name is AWS's scheme), and many lag AWS's newer checksum headers.
            config = config.merge(
                Config(
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
            )
        secret = settings.s3_secret_access_key
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            # None for both leaves boto3 its usual chain: environment, profile, role.
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=None if secret is None else secret.get_secret_value(),
            config=config,
        )
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    def close(self) -> None:
        self.client.close()

    def _key(self, key: str) -> str:
        return self.prefix + "/".join(key_parts(key))

    def put_file(self, key: str, source: Path, media_type: str) -> None:
        with _answering():
            self.client.upload_file(
                str(source),
                self.bucket,
                self._key(key),
                ExtraArgs={"ContentType": media_type},
                Config=TRANSFER_CONFIG,
            )

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        with _answering():
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=media_type
            )

    def _body(self, key: str) -> Any | None:
        """The object's body, still to be read, or None when there is none."""
        with _answering():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in MISSING_CODES:
                    return None
                raise
        return answer["Body"]

    def read(self, key: str) -> bytes | None:
        body = self._body(key)
        if body is None:
            return None
        with _answering(), closing(body):
            data: bytes = body.read()
        return data

    def stream(self, key: str) -> Iterator[bytes] | None:
        body = self._body(key)
        if body is None:
            return None

        def chunks() -> Iterator[bytes]:
            with _answering(), closing(body):
                yield from body.iter_chunks(CHUNK_BYTES)

        return chunks()

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        body = self._body(key)
        if body is None:
            raise KeyError(key)
        with tempfile.NamedTemporaryFile(prefix="byline-image-") as copy:
            with _answering(), closing(body):
                shutil.copyfileobj(body, copy, CHUNK_BYTES)
            copy.flush()
            yield Path(copy.name)

    def delete_prefix(self, prefix: str) -> None:
        full = self.prefix + "/".join(prefix_parts(prefix)) + ("/" if prefix.endswith("/") else "")
        pages = self.client.get_paginator("list_objects_v2")
        with _answering():
            # A page holds at most 1,000 keys, as many as one delete_objects takes.
            for page in pages.paginate(Bucket=self.bucket, Prefix=full):
                objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if not objects:
                    continue
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
                )
                if answer.get("Errors"):
                    failed = answer["Errors"][0]
                    raise RuntimeError(
                        f"{len(answer['Errors'])} keys under {full!r} were not deleted, "
                        f"{failed['Key']!r} first: {failed['Code']}"
                    )

    def check(self) -> None:
        """Readiness: the bucket is there and these credentials may use it."""
        with _answering():
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                raise StorageUnavailable(
                    f"The image store's bucket {self.bucket!r} cannot be used "
                    f"(it answered {status})."
                ) from exc


@contextmanager
def _answering() -> Iterator[None]:
    """Outages of the store raised as StorageUnavailable; anything else as it is."""
    try:
        yield
    except (BotoCoreError, ClientError, S3UploadFailedError) as exc:
        outage = _outage_of(exc)
        if outage is None:
            raise
        raise outage from exc


def _outage_of(exc: BaseException) -> StorageUnavailable | None:
    # boto3 wraps a failed upload's ClientError in an S3UploadFailedError of its own
    # without `from`: the cause is only in the context.
    seen: BaseException | None = exc
    while seen is not None:
        what = _what_failed(seen)
        if what is not None:
            return StorageUnavailable(f"The image store {what}; try again shortly.")
        seen = seen.__cause__ or seen.__context__
    return None


def _what_failed(exc: BaseException) -> str | None:
    if isinstance(exc, Unreachable):  # refused, unknown host, connect timeout, TLS
        return "cannot be reached"
    if isinstance(exc, ReadTimeoutError):
        return "did not answer in time"
    if isinstance(exc, HTTPClientError):
        return "dropped the connection"
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status >= 500:
            code = exc.response.get("Error", {}).get("Code", "")
            return f"answered {status} {code}".rstrip()
    return None
