"""An S3-compatible server for the tests: moto's standalone server on loopback, one per run.

`s3_settings` holds the Settings that point Byline at it, with a bucket of the run's own:
`Settings(**s3_settings, ...)`, or `s3_settings | {"s3_prefix": ...}` for a store that
shares the bucket with nothing else. `s3_storage` is an S3Storage over an empty prefix
of its own, for one test. A conftest makes them available with
`from tests.images.s3_server import s3_settings, s3_storage`.
"""

import os
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from app.config import Settings
from app.media.s3 import S3Storage
from tests.processes import free_port, serving

BUCKET = "byline-test"
REGION = "us-east-1"
# moto takes any credentials; passing them in the settings keeps the tests apart from
# whatever AWS credentials the environment holds.
ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"


@pytest.fixture(scope="session")
def s3_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    port = free_port()
    with serving(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=os.environ,
        cwd=tmp_path_factory.mktemp("s3"),
        port=port,
        ready_path="/moto-api/",
    ) as server:
        overrides: dict[str, Any] = {
            "image_storage": "s3",
            "s3_bucket": BUCKET,
            "s3_endpoint_url": server.url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key": SECRET_ACCESS_KEY,
        }
        storage = S3Storage.from_settings(Settings(**overrides))
        storage.client.create_bucket(Bucket=BUCKET)
        storage.close()
        yield overrides


@pytest.fixture
def s3_storage(s3_settings: dict[str, Any]) -> Iterator[S3Storage]:
    storage = S3Storage.from_settings(
        Settings(**s3_settings, s3_prefix=f"test-{uuid.uuid4().hex[:12]}/")
    )
    yield storage
    storage.close()
