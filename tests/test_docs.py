"""/docs and /redoc work without internet: everything they load comes from the app."""

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.helpers import problem

PAGES = ["/docs", "/redoc"]


class Loaded(HTMLParser):
    """What a browser fetches for a page: (kind, URL) for scripts, stylesheets and icons,
    and the OpenAPI document ReDoc reads from its element's attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[tuple[str, str]] = []
        self.documents: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "script" and "src" in found:
            self.assets.append(("script", found["src"]))
        elif tag == "link" and "href" in found:
            self.assets.append((found.get("rel", ""), found["href"]))
        elif tag == "redoc" and "spec-url" in found:
            self.documents.append(found["spec-url"])


def loaded(html: str) -> Loaded:
    parser = Loaded()
    parser.feed(html)
    # Swagger UI is told its document in the inline script.
    parser.documents += re.findall(r"\burl: '([^']*)'", html)
    return parser


EXPECTED_TYPES = {
    "script": ("text/javascript", "application/javascript"),
    "stylesheet": ("text/css",),
    "shortcut icon": ("image/png",),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_loads_only_what_the_app_serves(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "http://" not in response.text
    assert "https://" not in response.text
    found = loaded(response.text)
    kinds = {kind for kind, _ in found.assets}
    assert "script" in kinds
    assert "shortcut icon" in kinds

    for kind, url in found.assets:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, (url, asset.text[:200])
        assert asset.headers["content-type"].startswith(EXPECTED_TYPES[kind]), url
        assert len(asset.content) > 1000, url
        assert "immutable" in asset.headers["cache-control"], url

    assert len(found.documents) == 1
    document = client.get(found.documents[0])
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Byline"


def test_the_docs_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]


def test_assets_of_another_version_are_not_found(client: TestClient) -> None:
    script = dict((kind, url) for kind, url in loaded(client.get("/docs").text).assets)["script"]
    version = script.split("/")[3]
    problem(client.get(script.replace(f"/{version}/", "/0.0.0/")), 404)
    problem(client.get(script.replace("swagger-ui-bundle.js", "no-such-file.js")), 404)
