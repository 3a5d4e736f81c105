"""Renditions: what documents carry for <picture> and srcset, and the files behind the URLs.

A file is uploaded through the management API, an article shows the image, and
everything else is read as a frontend would: the document, then its URLs.
"""

import asyncio
import itertools
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import pyvips
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.container import services_of
from app.edge import Edge, cors_factory
from app.images import serving
from app.main import create_app
from app.media import render as rendering
from app.media.renditions import Rendition, rendition_key
from app.media.s3 import S3Storage
from tests import factories
from tests.conftest import Clock, own_app_client
from tests.helpers import ok, problem
from tests.images import files
from tests.manage.support import Api

Json = dict[str, Any]
FORMATS = [("avif", "image/avif"), ("webp", "image/webp"), ("jpeg", "image/jpeg")]
IMMUTABLE = "public, max-age=31536000, immutable"
_seeds = itertools.count(1)


def photo(width: int, height: int) -> bytes:
    """A JPEG no other test uploads, so no rendition of it is stored yet."""
    return files.jpeg(image=files.picture(width, height, noise=4, seed=next(_seeds)))


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    return Api(client, factories.make_token(session, "content:write", "content:publish"))


def upload(api: Api, image_id: int, data: bytes) -> Json:
    response = api.request(
        "PUT",
        f"/images/{image_id}/file",
        files={"file": ("photo.jpg", data, "image/jpeg")},
        headers=api.headers(**{"If-Match": api.etag("images", image_id)}),
    )
    assert response.status_code == 200, response.text
    record: Json = response.json()
    return record


def uploaded_image(session: Session, api: Api, width: int, height: int, **fields: Any) -> int:
    image = factories.image(session, url=None, **fields)
    assert image.id is not None
    upload(api, image.id, photo(width, height))
    return image.id


def shown_file(client: TestClient, session: Session, image_id: int) -> Json:
    """The image's file as a published article's document carries it."""
    article = factories.article(session, lead_image={"image_id": image_id})
    document = ok(client.get(f"/v1/articles/{article.slug}"))
    file: Json = document["lead_image"]["image"]["file"]
    return file


def srcset(crop: Json, format: str) -> list[tuple[str, int]]:
    (source,) = [s for s in crop["sources"] if s["format"] == format]
    pairs = [entry.rsplit(" ", 1) for entry in source["srcset"].split(", ")]
    return [(url, int(descriptor.removesuffix("w"))) for url, descriptor in pairs]


def version_of(url: str) -> str:
    match = re.search(r"\?v=([0-9a-f]{16})$", url)
    assert match is not None, url
    return match[1]


def decoded(response: httpx.Response) -> Any:
    return pyvips.Image.new_from_buffer(response.content, "")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Rendition]:
    """Every rendition rendered from now on, in order."""
    rendered: list[Rendition] = []
    render = rendering.render

    def counted(source: Path, rendition: Rendition, **focal: float | None) -> bytes:
        rendered.append(rendition)
        return render(source, rendition, **focal)

    monkeypatch.setattr(serving, "render", counted)
    return rendered


def test_documents_carry_every_crop_sized_without_enlarging(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 1200, 800, focal_point={"x": 0.2, "y": 0.5})

    file = shown_file(client, session, image_id)

    assert {k: v for k, v in file.items() if k != "renditions"} == {
        "width": 1200,
        "height": 800,
        "aspect_ratio": 1.5,
        "orientation": "landscape",
        "media_type": "image/jpeg",
        "focal_point": {"x": 0.2, "y": 0.5},
        "placeholder": file["placeholder"],
        "dominant_color": file["dominant_color"],
    }
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", file["placeholder"])
    assert re.fullmatch(r"#[0-9a-f]{6}", file["dominant_color"])
    # The largest box of each ratio inside 1200 x 800, then the widest allowed width.
    assert [
        (c["crop"], c["aspect_ratio"], c["width"], c["height"]) for c in file["renditions"]
    ] == [
        ("original", 1.5, 1024, 683),
        ("1x1", 1.0, 800, 800),
        ("4x3", 1.3337, 1024, 768),
        ("16x9", 1.7778, 1024, 576),
        ("1.91x1", 1.9108, 1024, 536),
    ]
    (version,) = {version_of(c["src"]) for c in file["renditions"]}
    for crop in file["renditions"]:
        assert [(s["format"], s["type"]) for s in crop["sources"]] == FORMATS
        path = "" if crop["crop"] == "original" else f"/{crop['crop']}"
        widths = [160, 320, 480, 640, 800] + ([] if crop["crop"] == "1x1" else [1024])
        for format, _media_type in FORMATS:
            assert srcset(crop, format) == [
                (f"/v1/images/{image_id}{path}/w/{width}.{format}?v={version}", width)
                for width in widths
            ]
        middle = widths[len(widths) // 2]
        assert crop["src"] == f"/v1/images/{image_id}{path}/w/{middle}.jpeg?v={version}"


def test_lists_carry_the_same_file_for_cards(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 640, 480)

    file = shown_file(client, session, image_id)
    (card,) = ok(client.get("/v1/articles"))["items"]

    assert card["lead_image"]["file"] == file
    assert card["lead_image"]["url"] is None


def test_a_picture_narrower_than_every_width_is_listed_once_at_its_own_size(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 120, 90)

    file = shown_file(client, session, image_id)

    original = file["renditions"][0]
    assert (original["width"], original["height"]) == (120, 90)
    ((url, descriptor),) = srcset(original, "webp")
    assert "/w/160.webp?v=" in url
    assert descriptor == 120
    served = decoded(client.get(url))
    assert (served.width, served.height) == (120, 90)


def test_every_srcset_url_serves_its_format_at_its_size(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 700, 500)

    file = shown_file(client, session, image_id)

    for crop in file["renditions"]:
        ratio = crop["width"] / crop["height"]
        for format, media_type in FORMATS:
            for url, width in srcset(crop, format):
                response = client.get(url)
                assert response.status_code == 200, (url, response.text)
                assert response.headers["content-type"] == media_type
                image = decoded(response)
                assert image.width == width, url
                assert abs(image.height - width / ratio) <= 1, url
                if width == crop["width"]:
                    assert image.height == crop["height"], url


def test_a_rendition_is_rendered_once_then_served_from_the_store(
    app: FastAPI, client: TestClient, session: Session, api: Api, renders: list[Rendition]
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    crop = shown_file(client, session, image_id)["renditions"][3]
    url, _width = srcset(crop, "webp")[1]

    first = client.get(url)
    second = client.get(url)
    unversioned = client.get(url.partition("?")[0])

    assert renders == [Rendition("16x9", 320, "webp")]
    assert first.content == second.content == unversioned.content
    key = rendition_key(image_id, version_of(url), renders[0])
    assert services_of(app).media.read(key) == first.content


def test_concurrent_first_requests_render_once(
    app: FastAPI, client: TestClient, session: Session, api: Api, renders: list[Rendition]
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    url, _width = srcset(shown_file(client, session, image_id)["renditions"][0], "avif")[2]

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as reader:
            return await asyncio.gather(*(reader.get(url) for _ in range(6)))

    responses = asyncio.run(together())

    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.content for r in responses}) == 1
    assert renders == [Rendition("original", 480, "avif")]


def test_cache_headers_conditional_gets_and_head(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    url, _width = srcset(shown_file(client, session, image_id)["renditions"][0], "jpeg")[0]
    path = url.partition("?")[0]

    versioned = client.get(url)
    current = client.get(path)
    not_modified = client.get(url, headers={"If-None-Match": versioned.headers["etag"]})
    head = client.head(url)

    assert versioned.headers["cache-control"] == IMMUTABLE
    assert versioned.headers["surrogate-key"] == f"image:{image_id}"
    assert re.fullmatch(r'"[^"]+"', versioned.headers["etag"])
    assert current.headers["cache-control"].startswith("public, max-age=")
    assert "immutable" not in current.headers["cache-control"]
    assert current.headers["etag"] == versioned.headers["etag"]
    assert current.headers["surrogate-key"] == f"image:{image_id}"
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == versioned.headers["etag"]
    assert not_modified.headers["cache-control"] == IMMUTABLE
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(versioned.content))


def test_a_moved_focal_point_gives_new_urls_and_deletes_the_old_files(
    app: FastAPI, client: TestClient, session: Session, api: Api
) -> None:
    image = factories.image(session, url=None)
    assert image.id is not None
    square = files.corner_square(800, 400, corner="top-left", size=120)
    upload(api, image.id, files.encode(square, ".jpg", Q=95))
    article = factories.article(session, lead_image={"image_id": image.id})
    before = ok(client.get(f"/v1/articles/{article.slug}"))["lead_image"]["image"]["file"]
    old_url, _width = srcset(before["renditions"][1], "webp")[0]
    centred = decoded(client.get(old_url))

    api.update("images", image.id, {"focal_point": {"x": 0.0, "y": 0.5}})

    after = ok(client.get(f"/v1/articles/{article.slug}"))["lead_image"]["image"]["file"]
    new_url, _width = srcset(after["renditions"][1], "webp")[0]
    assert after["focal_point"] == {"x": 0.0, "y": 0.5}
    assert version_of(new_url) != version_of(old_url)
    assert [(c["crop"], c["width"], c["height"]) for c in after["renditions"]] == [
        (c["crop"], c["width"], c["height"]) for c in before["renditions"]
    ]
    old_key = rendition_key(image.id, version_of(old_url), Rendition("1x1", 160, "webp"))
    assert services_of(app).media.read(old_key) is None
    # Centred, the square crop misses the red corner; at the left edge it shows it.
    leftmost = decoded(client.get(new_url))
    assert _is_red(leftmost.getpoint(4, 4))
    assert not _is_red(centred.getpoint(4, 4))
    # A replaced version is no capability: the current file, with the ordinary lifetimes.
    stale = client.get(old_url)
    assert stale.status_code == 200
    assert stale.content == client.get(new_url).content
    assert "immutable" not in stale.headers["cache-control"]


def _is_red(pixel: list[float]) -> bool:
    red, green, blue = pixel[:3]
    return red > 180 and green < 80 and blue < 80


def test_a_draft_image_is_served_only_by_its_versioned_url(
    client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    factories.draft(session, lead_image={"image_id": image_id})
    record, _etag = api.read("images", image_id)
    url = record["file"]["renditions"][0]["src"]

    versioned = client.get(url)
    unversioned = client.get(url.partition("?")[0])
    stale = client.get(url.partition("?")[0] + "?v=0123456789abcdef")

    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == IMMUTABLE
    for response in (unversioned, stale):
        assert "image" in problem(response, 404)["detail"]
    problem(client.get(f"/v1/images/{image_id}"), 404)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/w/900.webp", "160, 320, 480, 640, 800, 1024, 1280, 1600, 2048"),
        ("/w/0.webp", "160, 320"),
        ("/3x2/w/320.webp", "1x1, 4x3, 16x9, 1.91x1"),
        ("/original/w/320.webp", "1x1, 4x3"),
        ("/w/320.gif", "avif, webp, jpeg"),
        ("/16x9/w/320.png", "avif, webp, jpeg"),
    ],
)
def test_what_the_allowlist_does_not_hold_is_404_naming_what_is(
    client: TestClient, session: Session, api: Api, path: str, named: str
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    shown_file(client, session, image_id)

    for query in ("", "?v=0123456789abcdef"):
        assert named in problem(client.get(f"/v1/images/{image_id}{path}{query}"), 404)["detail"]


def test_an_image_without_a_file_has_no_renditions(client: TestClient, session: Session) -> None:
    image = factories.image(session)
    article = factories.article(session, lead_image={"image_id": image.id})

    document = ok(client.get(f"/v1/articles/{article.slug}"))

    assert document["lead_image"]["image"]["file"] is None
    problem(client.get(f"/v1/images/{image.id}/w/320.webp"), 404)
    problem(client.get(f"/v1/images/{image.id}/w/320.webp?v=0123456789abcdef"), 404)


def _answer(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = sorted(
        (name, value) for name, value in response.headers.multi_items() if name != "x-request-id"
    )
    return response.status_code, response.content, headers


def test_a_stored_rendition_on_the_fast_path_answers_as_the_full_stack(
    app_settings: Settings, clock: Clock, client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    url, _width = srcset(shown_file(client, session, image_id)["renditions"][2], "webp")[3]
    etag = client.get(url).headers["etag"]  # rendered and stored
    variants = [
        ("GET", {}),
        ("HEAD", {}),
        ("GET", {"If-None-Match": etag}),
        ("HEAD", {"If-None-Match": f'"other", {etag}'}),
        ("GET", {"If-None-Match": '"other"'}),
        ("GET", {"Accept-Encoding": "gzip"}),
        ("GET", {"Origin": "https://news.example"}),
    ]

    with TestClient(create_app(app_settings, clock=clock, fast_reads=False)) as full:
        for method, headers in variants:
            sent = {"X-Request-ID": "compare-1", **headers}
            assert _answer(client.request(method, url, headers=sent)) == _answer(
                full.request(method, url, headers=sent)
            ), (method, headers)


def test_the_fast_path_serves_a_stored_rendition_without_the_database(
    app: FastAPI, client: TestClient, session: Session, api: Api
) -> None:
    image_id = uploaded_image(session, api, 640, 480)
    url, _width = srcset(shown_file(client, session, image_id)["renditions"][1], "jpeg")[0]
    stored = client.get(url).content

    async def full_stack(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError(f"the full stack was asked for {scope['path']}")

    edge = Edge(full_stack, services=services_of(app), route_templates={}, cors=cors_factory())
    response = TestClient(edge).get(url)

    assert response.status_code == 200
    assert response.content == stored
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == IMMUTABLE


def test_renditions_round_trip_through_the_s3_store(
    s3_settings: dict[str, Any],
    app_settings: Settings,
    session: Session,
    renders: list[Rendition],
) -> None:
    settings = Settings(
        **s3_settings,
        s3_prefix=f"renditions-{uuid.uuid4().hex[:12]}/",
        database_url=app_settings.database_url,
        log_level="warning",
        manage_requests_per_minute_per_client=0,
    )
    with own_app_client(settings) as s3_client:
        api = Api(s3_client, factories.make_token(session, "content:write"))
        image_id = uploaded_image(session, api, 640, 480)
        url, width = srcset(shown_file(s3_client, session, image_id)["renditions"][0], "webp")[2]

        first = s3_client.get(url)
        second = s3_client.get(url)

        assert first.status_code == second.status_code == 200
        assert decoded(first).width == width
        assert second.content == first.content
        assert renders == [Rendition("original", width, "webp")]
    key = rendition_key(image_id, version_of(url), renders[0])
    store = S3Storage.from_settings(settings)
    assert store.read(key) == first.content
    store.close()
