"""The demo newsroom as `byline load-demo` loads it: every image with a drawn file whose
renditions a frontend can fetch from the published documents."""

import pytest
import pyvips
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.container import services_of
from app.demo.loader import ImageFiles, demo_content, load_demo
from tests.helpers import ok


@pytest.fixture
def loaded(app: FastAPI, session: Session) -> None:
    held = services_of(app)
    files = ImageFiles.from_settings(held.settings, held.media)
    assert load_demo(session, files)
    session.commit()


def srcset(image: dict[str, object], format: str) -> list[tuple[str, int]]:
    file = image["file"]
    assert isinstance(file, dict)
    original = file["renditions"][0]
    (source,) = [s for s in original["sources"] if s["format"] == format]
    return [
        (url, int(w.rstrip("w"))) for url, w in (e.split(" ") for e in source["srcset"].split(", "))
    ]


@pytest.mark.usefixtures("loaded")
def test_a_published_articles_lead_image_has_a_file_whose_srcset_urls_serve_it(
    client: TestClient,
) -> None:
    article = next(a for a in demo_content()["articles"] if a["status"] == "published")
    record = next(i for i in demo_content()["images"] if i["key"] == article["lead_image"]["image"])

    image = ok(client.get(f"/v1/articles/{article['slug']}"))["lead_image"]["image"]

    assert (image["file"]["width"], image["file"]["height"]) == (record["width"], record["height"])
    for url, width in srcset(image, "webp"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "image/webp"
        assert pyvips.Image.new_from_buffer(response.content, "").width == width
