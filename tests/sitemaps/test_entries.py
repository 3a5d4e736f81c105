"""A sitemap entry read from a stored document: which URLs and times it takes."""

import orjson

from app.sitemaps.entries import entry_of
from app.xmltext import xml_text

ORIGIN = "https://api.example.com"


def _document(**fields: object) -> bytes:
    document = {
        "headline": "Headline",
        "published_at": "2026-11-01T08:00:00Z",
        "updated_at": None,
        "links": {"self": "/v1/articles/a", "related": "/v1/articles/a/related"},
        "lead_image": None,
        "body": [],
        **fields,
    }
    return orjson.dumps(document)


def test_the_page_is_the_web_link_when_there_is_one_else_the_api_link() -> None:
    assert entry_of(_document(), ORIGIN).loc == ORIGIN + "/v1/articles/a"
    links: dict[str, str | None] = {
        "self": "/v1/articles/a",
        "web": "https://www.example.com/news/a",
    }
    assert entry_of(_document(links=links), ORIGIN).loc == "https://www.example.com/news/a"
    links["web"] = None
    assert entry_of(_document(links=links), ORIGIN).loc == ORIGIN + "/v1/articles/a"


def test_absolute_image_urls_are_kept_and_relative_ones_joined_to_the_origin() -> None:
    file = {
        "renditions": [
            {
                "crop": "original",
                "width": 600,
                "height": 400,
                "sources": [
                    {
                        "format": "webp",
                        "type": "image/webp",
                        "srcset": "/v1/i/320.webp 320w, /v1/i/640.webp 640w",
                    },
                    {
                        "format": "jpeg",
                        "type": "image/jpeg",
                        "srcset": "/v1/i/320.jpeg 320w, /v1/i/640.jpeg 600w",
                    },
                ],
            }
        ]
    }
    lead = {"caption": None, "image": {"url": "https://img.example.org/a.jpg", "file": file}}
    body = [{"type": "image", "caption": None, "image": {"url": "https://img.example.org/b.jpg"}}]
    entry = entry_of(_document(lead_image=lead, body=body), ORIGIN)
    assert entry.images == (ORIGIN + "/v1/i/640.jpeg", "https://img.example.org/b.jpg")


def test_xml_text_drops_only_what_xml_cannot_hold() -> None:
    assert xml_text("a\x00b\x08c\td\ne\rf\x7f\ud800\ufffe\uffff\U0001f600") == (
        "abc\td\ne\rf\x7f\U0001f600"
    )
