"""A cached rendition served by Byline as shipped against a bare route sending its bytes.

A fresh Byline (SQLite, local image store) takes an upload; the bench asks once for
the 800 px WebP rendition at its versioned URL, which renders and stores it, then
measures that URL (answered from the store by the edge's fast path) and bench/bare.py
sending the same bytes, with wrk, in alternating rounds.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.media.renditions import ORIGINAL, Rendition, rendition_path, version
from bench import wrk
from bench.images.newsroom import newsroom
from bench.measure import Comparison, Load, Request, Sample, Series, alternate
from bench.process import ServerError, bare_server, request

RENDITION = Rendition(ORIGINAL, 800, "webp")


@dataclass(frozen=True)
class Cached:
    comparison: Comparison
    body_bytes: int
    media_type: str


def versioned_path(image_id: int, uploaded: Path) -> str:
    """The rendition's immutable URL, as documents give it: a new file or focal point
    gives a new version. The bench leaves the focal point at its default."""
    sha256 = hashlib.sha256(uploaded.read_bytes()).hexdigest()
    return rendition_path(image_id, RENDITION, version(sha256, None, None))


def run(
    source: Path, load: Load, directory: Path, report: Callable[[Series, Sample], None]
) -> Cached:
    with newsroom(directory, "cached") as site:
        with site.client() as client:
            record = site.create_image(client, "A 6000x4000 photograph for the bench")
            uploaded = site.upload(client, record, source)
            if not uploaded.is_success:
                raise ServerError(f"the upload answered {uploaded.status_code}: {uploaded.text}")
        path = versioned_path(record.id, source)
        rendered = request(site.server.base_url + path)
        status, headers, body = request(site.server.base_url + path)
        if rendered[0] != 200 or status != 200 or body != rendered[2]:
            raise ServerError(f"GET {path} answered {rendered[0]} then {status}")
        body_file = directory / "rendition.webp"
        body_file.write_bytes(body)
        with bare_server(directory / "bare.log", body_file) as bare:
            if request(bare.base_url + "/")[2] != body:
                raise ServerError("the bare app does not send the bytes Byline sent")
            script = wrk.write_script(directory / "cached.lua")
            ceiling = Series("bare", bare.name, "/")
            served = Series("cached rendition", site.server.name, path)
            alternate(
                [
                    (ceiling, Request(bare, "/", script)),
                    (served, Request(site.server, path, script)),
                ],
                load,
                report,
            )
    return Cached(
        Comparison("images", "sqlite", "cached rendition", served, ceiling),
        len(body),
        next((v for k, v in headers.items() if k.lower() == "content-type"), ""),
    )
