"""Paragraph HTML: what cleaning keeps, what it removes, and that no input is a server error."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import problem
from tests.manage.support import Api, Json, article_body, error_locations


def paragraph(html: str) -> Json:
    return {"type": "paragraph", "html": html}


def cleaned(api: Api, html: str) -> str:
    record = api.create("articles", article_body(body=[paragraph(html)]))
    result: str = record["body"][0]["html"]
    return result


def articles(api: Api) -> list[Json]:
    items: list[Json] = api.get("/articles", limit=100).json()["items"]
    return items


NOTHING_LEFT = {
    "script": "<script>alert(1)</script>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style": "<style>p { color: red }</style>  ",
    "empty-link": '<a href="javascript:alert(1)"></a>',
    "markup-only": "<br><em> </em><strong>&#32;</strong>",
}


@pytest.mark.parametrize("html", NOTHING_LEFT.values(), ids=NOTHING_LEFT.keys())
def test_a_paragraph_that_cleans_to_nothing_is_422_naming_the_block(api: Api, html: str) -> None:
    body = [paragraph("Kept."), {"type": "heading", "text": "Then"}, paragraph(html)]
    record = api.create("articles", article_body())
    before = api.read("articles", record["id"])
    where = ["body", "body", 2, "paragraph", "html"]

    created = api.post("/articles", article_body(body=body))
    replaced = api.put(f"/articles/{record['id']}", article_body(body=body), before[1])
    patched = api.patch(f"/articles/{record['id']}", {"body": body}, before[1])

    for response in (created, replaced, patched):
        assert error_locations(response) == [where]
        assert "no text is left" in response.json()["errors"][0]["message"]
    assert api.read("articles", record["id"]) == before
    assert [a["id"] for a in articles(api)] == [record["id"]]


def test_a_paragraph_over_its_bound_once_cleaned_is_422(api: Api) -> None:
    # 20,000 ampersands are within the bound as sent, 100,000 characters once escaped.
    response = api.post("/articles", article_body(body=[paragraph("&" * 20_000)]))

    assert error_locations(response) == [["body", "body", 0, "paragraph", "html"]]
    assert articles(api) == []


# Each of these must lose its href: browsers resolve the relative-looking ones
# against the page, and several of those land on another host.
HOSTILE_HREFS = {
    "protocol-relative": "//evil.example/x",
    "slash-backslash": "/\\evil.example/x",
    "double-backslash": "\\\\evil.example/x",
    "encoded-slashes": "&#47;&#47;evil.example/x",
    "tab-in-slashes": "/&#9;/evil.example/x",
    "javascript": "javascript:alert(1)",
    "javascript-upper": "JaVaScRiPt:alert(1)",
    "javascript-entity": "&#106;avascript:alert(1)",
    "javascript-tab": "java&#x09;script:alert(1)",
    "javascript-padded": "  javascript:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "ftp": "ftp://files.example.org/a",
    "root-relative": "/politics/story",
    "path-relative": "story.html",
    "query-only": "?page=2",
    "fragment-only": "#comments",
    "scheme-without-slashes": "https:evil.example/x",
    "scheme-one-slash": "https:/evil.example/x",
    "scheme-three-slashes": "https:///evil.example/x",
    "scheme-backslashes": "https:\\\\evil.example/x",
    "no-host": "https://",
    "backslash-in-authority": "https://ok.example\\@evil.example/",
    "newline-in-host": "https://ok.exa&#10;mple/",
    "broken-ipv6": "http://[::1/",
    "empty-mailto": "mailto:",
    "empty": "",
}


@pytest.mark.parametrize("href", HOSTILE_HREFS.values(), ids=HOSTILE_HREFS.keys())
def test_a_link_that_is_not_absolute_http_or_mailto_loses_its_href(api: Api, href: str) -> None:
    html = cleaned(api, f'Read <a href="{href}">this</a>.')

    assert html == 'Read <a rel="noopener">this</a>.'


KEPT_HREFS = {
    "https": ("https://example.org/talks", "https://example.org/talks"),
    "http-upper": ("HTTP://Example.org/A", "HTTP://Example.org/A"),
    "query-and-port": (
        "https://example.org:8443/a?b=1&amp;c=2#d",
        "https://example.org:8443/a?b=1&amp;c=2#d",
    ),
    "padded": ("  https://example.org/padded \n", "https://example.org/padded"),
    "encoded-slashes": ("https:&#47;&#47;example.org/x", "https://example.org/x"),
    "mailto": ("mailto:desk@example.org?subject=Tip", "mailto:desk@example.org?subject=Tip"),
}


@pytest.mark.parametrize(("href", "stored"), KEPT_HREFS.values(), ids=KEPT_HREFS.keys())
def test_an_absolute_http_or_mailto_link_is_kept(api: Api, href: str, stored: str) -> None:
    html = cleaned(api, f'Read <a href="{href}">this</a>.')

    assert html == f'Read <a href="{stored}" rel="noopener">this</a>.'
    # What was stored cleans to itself, so writing it back changes nothing.
    assert cleaned(api, html) == html


def test_only_the_listed_attributes_survive(api: Api) -> None:
    html = cleaned(
        api,
        '<a href="https://example.org/" title="t" lang="en" target="_blank" rel="opener" '
        'class="c" id="i" style="color:red" data-x="1">a</a> '
        '<em title="t" lang="de" dir="rtl">b</em> <strong class="c">c</strong> '
        '<i id="i">d</i> <b title="t">e</b><br title="t">',
    )

    assert html == (
        '<a href="https://example.org/" rel="noopener">a</a> '
        "<em>b</em> <strong>c</strong> <i>d</i> <b>e</b><br>"
    )


FRAGMENTS = [
    "<a",
    "<a href='",
    '<a href="',
    "https://example.org/",
    "//evil.example/",
    "javascript:",
    "\\",
    "</a>",
    "<em>",
    "</em>",
    "<br>",
    "<script>",
    "</script>",
    "<iframe>",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "&#x0a;",
    "&",
    "<",
    ">",
    '"',
    " title=x ",
    " ",
    "\x00",
    "\ufeff",
]

html_soup = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12).map(
    "".join
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=html_soup, second=html_soup)
def test_no_paragraph_html_is_a_server_error(
    api: Api, client: TestClient, first: str, second: str
) -> None:
    created = api.post("/articles", article_body(body=[paragraph(first)]))
    if created.status_code != 201:
        problem(created, 422)
        return
    record = created.json()
    patched = api.patch(
        f"/articles/{record['id']}",
        {"body": [paragraph(second)]},
        created.headers["etag"],
    )
    assert patched.status_code in {200, 422}, patched.text
    if patched.status_code == 422:
        problem(patched, 422)
    published = api.act(record["id"], "publish")
    assert published.status_code == 200, published.text
    document = client.get(f"/v1/articles/{record['slug']}")
    assert document.status_code == 200, document.text
    assert document.json()["body"] == api.read("articles", record["id"])[0]["body"]
