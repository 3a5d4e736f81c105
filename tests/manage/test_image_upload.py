"""Uploading the file of an image through PUT /v1/manage/images/{id}/file, downloading the
original and removing it: what is stored, what the record shows, and that every refused
upload leaves nothing behind."""

import asyncio
import hashlib
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.config import Settings
from app.container import services_of
from app.errors import install_error_handlers
from app.media.renditions import ORIGINAL, Rendition, original_key, rendition_key
from app.middleware import MAX_BODY_BYTES, BodyLimit, BodySizeLimitMiddleware
from app.models import ImageFile
from tests.conftest import own_app_client
from tests.factories import make_token
from tests.helpers import problem
from tests.images import files
from tests.images.s3_server import s3_settings  # noqa: F401 - the fixture, for the S3 test
from tests.manage.conftest import EDITOR
from tests.manage.support import MANAGE, Api, Json, article_body, image_body

Upload = tuple[str, bytes, str]  # file name, bytes, the part's Content-Type


def upload(api: Api, ident: int, part: Upload, etag: str | None) -> httpx.Response:
    headers = api.headers(**({"If-Match": etag} if etag is not None else {}))
    return api.request("PUT", f"/images/{ident}/file", files={"file": part}, headers=headers)


def uploaded(api: Api, ident: int, part: Upload) -> Json:
    response = upload(api, ident, part, api.etag("images", ident))
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == api.etag("images", ident)
    record: Json = response.json()
    return record


def _multipart(*parts: bytes, boundary: str = "XyZ") -> tuple[bytes, dict[str, str]]:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _part(name: str, data: bytes, filename: str = "a.jpg") -> bytes:
    """A part as browsers send it; `filename` as written in the quoted string."""
    disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
    return disposition.encode() + b"\r\nContent-Type: image/jpeg\r\n\r\n" + data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


@pytest.fixture
def settings(app: FastAPI) -> Settings:
    """The shared app's settings, with its image store and staging directory emptied
    (ids restart after each test's cleanup, so earlier files could pass for new ones)."""
    held = services_of(app).settings
    for directory in (held.image_dir, held.image_staging_dir):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    return held


@pytest.fixture
def photo(api: Api, settings: Settings) -> Json:
    """An image record without a file, and without the fields a file can fill."""
    return api.create("images", image_body(credit_line=None))


def assert_nothing_stored(
    api: Api, session: Session, settings: Settings, ident: int, before: tuple[Json, str]
) -> None:
    assert api.read("images", ident) == before
    assert session.exec(select(ImageFile)).all() == []
    assert files_under(settings.image_dir) == []
    assert files_under(settings.image_staging_dir) == []


ACCEPTED = [
    ("jpeg", "photo.jpg", files.jpeg, "image/jpeg"),
    ("png", "photo.png", files.png, "image/png"),
    ("webp", "photo.webp", files.webp, "image/webp"),
    ("avif", "photo.avif", files.avif, "image/avif"),
]


@pytest.mark.parametrize(("name", "filename", "make", "media_type"), ACCEPTED)
def test_each_accepted_format_is_kept_as_sent_and_described(
    api: Api,
    photo: Json,
    settings: Settings,
    name: str,
    filename: str,
    make: Callable[..., bytes],
    media_type: str,
) -> None:
    data = make(320, 200)

    record = uploaded(api, photo["id"], (filename, data, media_type))

    assert record["version"] == photo["version"] + 1
    assert (record["width"], record["height"]) == (320, 200)
    file = record["file"]
    assert file["media_type"] == media_type
    assert (file["width"], file["height"], file["orientation"]) == (320, 200, "landscape")
    assert (file["sha256"], file["bytes"]) == (sha256(data), len(data))
    assert (file["original_name"], file["uploaded_by"]) == (filename, EDITOR)
    assert re.fullmatch(r"#[0-9a-f]{6}", file["dominant_color"])
    assert file["placeholder"]
    assert file["renditions"][0]["crop"] == ORIGINAL
    assert api.read("images", photo["id"])[0] == record
    assert files_under(settings.image_dir) == [
        settings.image_dir / original_key(photo["id"], sha256(data))
    ]
    assert files_under(settings.image_staging_dir) == []

    original = api.get(f"/images/{photo['id']}/file")
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["content-type"] == media_type
    assert original.headers["content-length"] == str(len(data))
    assert original.headers["etag"] == f'"{sha256(data)}"'
    assert original.headers["content-disposition"] == (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
    )


def test_the_original_answers_304_to_its_etag(api: Api, photo: Json) -> None:
    uploaded(api, photo["id"], ("a.png", files.png(64, 48), "image/png"))
    path = f"{MANAGE}/images/{photo['id']}/file"
    etag = api.get(f"/images/{photo['id']}/file").headers["etag"]

    again = api.client.get(path, headers=api.headers(**{"If-None-Match": etag}))

    assert again.status_code == 304
    assert again.headers["etag"] == etag


def test_the_download_name_is_quoted_safely(api: Api, photo: Json) -> None:
    body, content_type = _multipart(
        _part("file", files.jpeg(64, 48), filename='C:\\fakepath\\Ünïcode \\"quoted\\";.jpg')
    )
    response = api.request(
        "PUT",
        f"/images/{photo['id']}/file",
        content=body,
        headers=api.headers(**content_type, **{"If-Match": api.etag("images", photo["id"])}),
    )
    assert response.status_code == 200, response.text

    disposition = api.get(f"/images/{photo['id']}/file").headers["content-disposition"]

    assert response.json()["file"]["original_name"] == 'Ünïcode "quoted";.jpg'
    assert disposition == (
        'attachment; filename="_n_code _quoted_;.jpg"; '
        "filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22quoted%22%3B.jpg"
    )


def test_exif_orientation_6_swaps_width_and_height(api: Api, photo: Json) -> None:
    record = uploaded(
        api, photo["id"], ("turned.jpg", files.jpeg(64, 48, orientation=6), "image/jpeg")
    )

    assert (record["width"], record["height"]) == (48, 64)
    assert record["file"]["orientation"] == "portrait"


CREDITS = {
    "credit": "Ann Poe/Newswire",
    "caption": "Minister Ann Poe (left) in Tavrin.",
    "photographer": "Ann Poe",
}
FILLED = {
    "credit_line": CREDITS["credit"],
    "caption": CREDITS["caption"],
    "photographer": CREDITS["photographer"],
}


@pytest.mark.parametrize(
    "part",
    [
        ("iptc.jpg", files.jpeg(64, 48, iptc=CREDITS), "image/jpeg"),
        ("xmp.png", files.png(64, 48, xmp=CREDITS), "image/png"),
    ],
    ids=["iptc", "xmp"],
)
def test_embedded_credits_fill_the_empty_fields(api: Api, photo: Json, part: Upload) -> None:
    record = uploaded(api, photo["id"], part)

    assert {name: record[name] for name in FILLED} == FILLED


def test_embedded_credits_never_overwrite_what_an_editor_wrote(api: Api) -> None:
    written = {"credit_line": "Desk credit", "caption": None, "photographer": "Desk photographer"}
    image = api.create("images", image_body(**written))

    record = uploaded(
        api, image["id"], ("iptc.jpg", files.jpeg(64, 48, iptc=CREDITS), "image/jpeg")
    )

    assert {name: record[name] for name in FILLED} == {**written, "caption": CREDITS["caption"]}


def test_the_same_bytes_again_change_nothing(api: Api, photo: Json) -> None:
    part = ("same.jpg", files.jpeg(64, 48), "image/jpeg")
    first = uploaded(api, photo["id"], part)
    etag = api.etag("images", photo["id"])

    again = upload(api, photo["id"], part, etag)

    assert again.status_code == 200, again.text
    assert again.headers["etag"] == etag
    assert again.json() == first


def test_a_new_file_replaces_the_original_and_drops_the_renditions(
    api: Api, photo: Json, settings: Settings, app: FastAPI
) -> None:
    before = files.jpeg(64, 48)
    after = files.png(96, 48)
    uploaded(api, photo["id"], ("before.jpg", before, "image/jpeg"))
    rendered = rendition_key(photo["id"], "0123456789abcdef", Rendition(ORIGINAL, 160, "webp"))
    services_of(app).media.put_bytes(rendered, b"rendered", "image/webp")

    record = uploaded(api, photo["id"], ("after.png", after, "image/png"))

    assert (record["width"], record["height"]) == (96, 48)
    assert api.get(f"/images/{photo['id']}/file").content == after
    assert files_under(settings.image_dir) == [
        settings.image_dir / original_key(photo["id"], sha256(after))
    ]


def test_a_file_over_one_mebibyte_goes_through(api: Api, photo: Json) -> None:
    """The upload route's body limit is IMAGE_MAX_BYTES, not the 1 MiB of other writes."""
    data = files.jpeg(1600, 1200, noise=30.0, quality=95)
    assert len(data) > MAX_BODY_BYTES

    record = uploaded(api, photo["id"], ("big.jpg", data, "image/jpeg"))

    assert record["file"]["bytes"] == len(data)


def test_the_record_list_shows_each_file(api: Api, photo: Json) -> None:
    without = api.create("images", image_body())
    uploaded(api, photo["id"], ("a.jpg", files.jpeg(64, 48), "image/jpeg"))

    listed = {item["id"]: item["file"] for item in api.get("/images").json()["items"]}

    assert listed[without["id"]] is None
    assert listed[photo["id"]]["width"] == 64


# Refusals: each a problem, each leaving nothing behind.


def test_if_match_is_required_and_must_be_current(
    api: Api, photo: Json, session: Session, settings: Settings
) -> None:
    before = api.read("images", photo["id"])
    part = ("a.jpg", files.jpeg(64, 48), "image/jpeg")

    problem(upload(api, photo["id"], part, None), 428)
    stale = problem(upload(api, photo["id"], part, '"image-1-v0"'), 412)

    assert stale["type"] == "urn:byline:problem:precondition-failed"
    assert_nothing_stored(api, session, settings, photo["id"], before)


def test_a_read_only_token_is_403(
    api: Api, photo: Json, session: Session, settings: Settings
) -> None:
    before = api.read("images", photo["id"])
    reader = Api(api.client, make_token(session, "content:read"))

    problem(
        upload(reader, photo["id"], ("a.jpg", files.jpeg(64, 48), "image/jpeg"), before[1]), 403
    )

    assert_nothing_stored(api, session, settings, photo["id"], before)


def test_a_missing_image_is_404(api: Api, settings: Settings) -> None:
    response = upload(api, 999_999, ("a.jpg", files.jpeg(64, 48), "image/jpeg"), '"image-1-v1"')

    assert problem(response, 404)["type"] == "urn:byline:problem:not-found"
    assert files_under(settings.image_dir) == []
    assert files_under(settings.image_staging_dir) == []


BAD_FILES = [
    ("truncated", files.truncated(files.jpeg(64, 48)), "image/jpeg", 422, "invalid-image"),
    (
        "html-appended",
        files.with_html_appended(files.jpeg(64, 48)),
        "image/jpeg",
        422,
        "invalid-image",
    ),
    ("svg", files.svg(), "image/svg+xml", 415, "unsupported-image"),
    ("bomb", files.decompression_bomb_png(), "image/png", 413, "image-too-large"),
    ("pixel-flood", files.pixel_flood_png(), "image/png", 413, "image-too-large"),
    ("png-sent-as-jpeg", files.png(64, 48), "image/jpeg", 415, "unsupported-image"),
    ("animated-gif", files.animated_gif(), "image/gif", 415, "unsupported-image"),
    ("animated-webp", files.animated_webp(), "image/webp", 415, "unsupported-image"),
    ("empty", b"", "image/jpeg", 415, "unsupported-image"),
]


@pytest.mark.parametrize(
    ("data", "media_type", "status", "slug"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    api: Api,
    photo: Json,
    session: Session,
    settings: Settings,
    data: bytes,
    media_type: str,
    status: int,
    slug: str,
) -> None:
    before = api.read("images", photo["id"])

    refused = problem(upload(api, photo["id"], ("bad.jpg", data, media_type), before[1]), status)

    assert refused["type"] == f"urn:byline:problem:{slug}"
    assert_nothing_stored(api, session, settings, photo["id"], before)


MALFORMED = [
    ("no-file-part", *_multipart(_part("other", b"x")), 422),
    ("two-files", *_multipart(_part("file", b"x"), _part("file", b"y")), 422),
    ("json", b'{"file": "x"}', {"Content-Type": "application/json"}, 400),
    ("no-parts", *_multipart(), 422),
    (
        "no-closing-boundary",
        _multipart(_part("file", b"x"))[0][: -len(b"--XyZ--\r\n")],
        _multipart()[1],
        400,
    ),
    ("preamble", b"junk" + _multipart(_part("file", b"x"))[0], _multipart()[1], 400),
    (
        "huge-part-headers",
        *_multipart(b"X-Padding: " + b"p" * 20_000 + b"\r\n" + _part("file", b"x")),
        400,
    ),
]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_bodies_are_refused(
    api: Api,
    photo: Json,
    session: Session,
    settings: Settings,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    before = api.read("images", photo["id"])

    response = api.request(
        "PUT",
        f"/images/{photo['id']}/file",
        content=body,
        headers=api.headers(**headers, **{"If-Match": before[1]}),
    )

    problem(response, status)
    if status == 422:
        assert [e["location"] for e in response.json()["errors"]] == [["body", "file"]]
    assert_nothing_stored(api, session, settings, photo["id"], before)


def test_a_failed_database_write_deletes_the_stored_original(
    api: Api,
    photo: Json,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = api.read("images", photo["id"])

    def fail(*_args: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("app.editing.resource.refresh_embedding", fail)
    response = upload(api, photo["id"], ("a.jpg", files.jpeg(64, 48), "image/jpeg"), before[1])

    problem(response, 500)
    assert_nothing_stored(api, session, settings, photo["id"], before)


@pytest.fixture
def small_limit(app_settings: Settings, settings: Settings) -> Iterator[TestClient]:
    """An app of its own on the same database that takes files of at most 4 KiB."""
    with own_app_client(app_settings.model_copy(update={"image_max_bytes": 4096})) as client:
        yield client


def test_files_over_the_byte_limit_are_413(
    api: Api, photo: Json, session: Session, settings: Settings, small_limit: TestClient
) -> None:
    limited = Api(small_limit, api.secret)
    before = limited.read("images", photo["id"])
    data = files.jpeg(640, 480, noise=10.0)
    assert len(data) > 4096

    declared = upload(limited, photo["id"], ("big.jpg", data, "image/jpeg"), before[1])
    headers = limited.headers(**{"If-Match": before[1]})
    body, content_type = _multipart(_part("file", data))
    streamed = small_limit.put(
        f"{MANAGE}/images/{photo['id']}/file",
        content=iter([body[i : i + 1000] for i in range(0, len(body), 1000)]),
        headers={**headers, **content_type},
    )
    over_body_limit = small_limit.put(
        f"{MANAGE}/images/{photo['id']}/file",
        content=b"x" * (4096 + MAX_BODY_BYTES + 1),
        headers={**headers, **content_type},
    )

    assert problem(declared, 413)["type"] == "urn:byline:problem:image-too-large"
    assert problem(streamed, 413)["type"] == "urn:byline:problem:image-too-large"
    assert problem(over_body_limit, 413)["type"] == "urn:byline:problem:payload-too-large"
    assert_nothing_stored(api, session, settings, photo["id"], before)


# Removing the file.


def test_removing_the_file_keeps_the_record(api: Api, photo: Json, settings: Settings) -> None:
    uploaded(api, photo["id"], ("a.jpg", files.jpeg(64, 48), "image/jpeg"))
    etag = api.etag("images", photo["id"])

    removed = api.delete(f"/images/{photo['id']}/file", etag)

    assert removed.status_code == 200, removed.text
    assert removed.json()["file"] is None
    assert removed.headers["etag"] == api.etag("images", photo["id"]) != etag
    problem(api.get(f"/images/{photo['id']}/file"), 404)
    problem(api.delete(f"/images/{photo['id']}/file", removed.headers["etag"]), 404)
    assert files_under(settings.image_dir) == []


def test_removing_needs_a_current_if_match(api: Api, photo: Json) -> None:
    uploaded(api, photo["id"], ("a.jpg", files.jpeg(64, 48), "image/jpeg"))
    before = api.read("images", photo["id"])

    problem(api.delete(f"/images/{photo['id']}/file", None), 428)
    problem(api.delete(f"/images/{photo['id']}/file", '"image-1-v0"'), 412)

    assert api.read("images", photo["id"]) == before


# Published documents.


def test_published_articles_show_the_file_once_uploaded_and_not_once_removed(
    api: Api, photo: Json
) -> None:
    article = api.create("articles", article_body(lead_image={"image_id": photo["id"]}))
    api.publish(article["id"])
    path = f"/v1/articles/{article['slug']}"
    assert api.client.get(path).json()["lead_image"]["image"]["file"] is None

    record = uploaded(api, photo["id"], ("lead.jpg", files.jpeg(64, 48), "image/jpeg"))

    shown = api.client.get(path).json()["lead_image"]["image"]
    archive = {"sha256", "bytes", "original_name", "uploaded_at", "uploaded_by"}
    assert shown["file"] == {k: v for k, v in record["file"].items() if k not in archive}
    assert (shown["width"], shown["height"]) == (64, 48)

    api.delete(f"/images/{photo['id']}/file", api.etag("images", photo["id"]))

    assert api.client.get(path).json()["lead_image"]["image"]["file"] is None


# The S3 store.


def test_an_upload_to_the_s3_store(
    api: Api,
    photo: Json,
    app_settings: Settings,
    s3_settings: dict[str, Any],  # noqa: F811
) -> None:
    # A prefix of its own: the bucket lives as long as the test run.
    overrides = {**s3_settings, "s3_prefix": f"upload-{uuid.uuid4().hex[:12]}/"}
    data = files.jpeg(64, 48)
    with own_app_client(Settings(**(app_settings.model_dump() | overrides))) as client:
        s3 = Api(client, api.secret)
        record = uploaded(s3, photo["id"], ("s3.jpg", data, "image/jpeg"))
        original = s3.get(f"/images/{photo['id']}/file")
        store = services_of(cast(FastAPI, client.app)).media
        stored = store.read(original_key(photo["id"], sha256(data)))

    assert record["file"]["sha256"] == sha256(data)
    assert original.content == data
    assert stored == data


# The streamed body limit, on its own.


def _limited(app: Any, limit: int) -> BodySizeLimitMiddleware:
    return BodySizeLimitMiddleware(
        app, max_bytes=10, larger=[BodyLimit(re.compile("/upload"), limit, streamed=True)]
    )


def _reading_app(limit: int) -> FastAPI:
    """An app whose one route reads its whole body as it streams."""
    app = FastAPI()
    install_error_handlers(app)

    @app.put("/upload")
    async def read(request: Request) -> Response:
        size = sum([len(chunk) async for chunk in request.stream()])
        return Response(str(size))

    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=10,
        larger=[BodyLimit(re.compile("/upload"), limit, streamed=True)],
    )
    return app


def test_a_streamed_limit_is_counted_as_the_app_reads() -> None:
    client = TestClient(_reading_app(3000), raise_server_exceptions=False)

    within = client.put("/upload", content=iter([b"x" * 1000] * 3))
    over = client.put("/upload", content=iter([b"x" * 1000] * 4))
    declared_over = client.put("/upload", content=b"x" * 3001)
    elsewhere = client.put("/other", content=iter([b"x" * 11]))

    assert (within.status_code, within.text) == (200, "3000")
    # Other paths keep the default limit, read up front.
    for refused in (over, declared_over, elsewhere):
        assert refused.status_code == 413
        assert refused.json()["type"] == "urn:byline:problem:payload-too-large"


def test_a_streamed_body_reaches_the_app_chunk_by_chunk() -> None:
    """Each chunk is handed on as it arrives: nothing is gathered in memory."""
    chunks = [b"x" * 1000] * 3
    pulled: list[int] = []
    seen: list[tuple[int, int]] = []  # (chunks pulled from the client, size) per message

    async def client_sends() -> Message:
        pulled.append(1)
        return {
            "type": "http.request",
            "body": chunks[len(pulled) - 1],
            "more_body": len(pulled) < len(chunks),
        }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            seen.append((len(pulled), len(message["body"])))
            if not message["more_body"]:
                return

    scope = {"type": "http", "method": "PUT", "path": "/upload", "headers": []}
    asyncio.run(_limited(app, 3000)(scope, client_sends, _never_sent))

    assert seen == [(1, 1000), (2, 1000), (3, 1000)]


async def _never_sent(message: Message) -> None:
    raise AssertionError(f"nothing should be sent: {message}")


def test_deleting_the_image_deletes_its_files(
    api: Api, client: TestClient, photo: Json, settings: Settings
) -> None:
    record = uploaded(api, photo["id"], ("photo.jpg", files.jpeg(640, 480), "image/jpeg"))
    (original,) = [r for r in record["file"]["renditions"] if r["crop"] == ORIGINAL]
    first_url = original["src"]
    assert client.get(first_url).status_code == 200
    assert len(files_under(settings.image_dir)) == 2  # the original and one rendition

    assert api.delete(f"/images/{photo['id']}", api.etag("images", photo["id"])).status_code == 204

    assert files_under(settings.image_dir) == []
    assert client.get(first_url).status_code == 404
