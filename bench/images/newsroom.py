"""A fresh Byline for the image bench: its own SQLite database and image directory, an
editor's token, served as `byline serve` serves it with default settings."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.migrate import upgrade
from bench.process import Server, ServerError, byline_server
from bench.soak.run import create_token

TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Record:
    """An image record as created: its id and the ETag an upload must match."""

    id: int
    etag: str


@dataclass(frozen=True)
class Newsroom:
    server: Server
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, headers=self.headers, timeout=TIMEOUT_S)

    def create_image(self, client: httpx.Client, alt_text: str) -> Record:
        response = client.post("/v1/manage/images", json={"alt_text": alt_text})
        if response.status_code != 201:
            raise ServerError(f"creating an image answered {response.status_code}: {response.text}")
        return Record(response.json()["id"], response.headers["etag"])

    def upload(self, client: httpx.Client, record: Record, path: Path) -> httpx.Response:
        """The file of an image, streamed from disk as a multipart upload."""
        with path.open("rb") as handle:
            return client.put(
                f"/v1/manage/images/{record.id}/file",
                files={"file": (path.name, handle, "image/jpeg")},
                headers={"If-Match": record.etag},
            )


@contextlib.contextmanager
def newsroom(directory: Path, name: str) -> Iterator[Newsroom]:
    database_url = f"sqlite:///{directory / f'{name}.sqlite3'}"
    upgrade(database_url)
    token = create_token(database_url, f"image bench {name}")
    env = {"IMAGE_STORAGE": "local", "IMAGE_DIR": str(directory / f"{name}-media")}
    with byline_server(database_url, directory / f"{name}.log", env=env) as server:
        yield Newsroom(server, token)
