"""Probing an upload: the type from the bytes, the limits before decoding, every bad
input refused with the problem that says why."""

import base64
import re
from pathlib import Path

import pytest
import thumbhash

from app.errors import AppError, ImageTooLarge, InvalidImage, UnsupportedImage
from app.media.embedded import Embedded
from app.media.probe import Probed, UploadLimits, probe
from tests.images import files

LIMITS = UploadLimits(max_bytes=40 * 1024 * 1024, max_pixels=100_000_000)
CREDITS = {
    "credit": "Ann Poe / Newswire",
    "caption": "Dawn over the harbour.",
    "photographer": "Ann Poe",
}


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    # No suffix: the name must play no part.
    return tmp_path / "upload"


def _probe(
    path: Path, data: bytes, limits: UploadLimits = LIMITS, *, declared_type: str | None = None
) -> Probed:
    path.write_bytes(data)
    return probe(path, limits, declared_type=declared_type)


def _refused(
    path: Path, data: bytes, error: type[AppError], *, declared_type: str | None = None
) -> str:
    with pytest.raises(error) as caught:
        _probe(path, data, declared_type=declared_type)
    return caught.value.detail


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (files.jpeg(320, 200), "image/jpeg"),
        (files.jpeg(320, 200, progressive=True), "image/jpeg"),
        (files.png(320, 200), "image/png"),
        (files.png(320, 200, alpha=True), "image/png"),
        (files.webp(320, 200), "image/webp"),
        (files.avif(320, 200), "image/avif"),
        (files.avif(320, 200, alpha=True), "image/avif"),
    ],
)
def test_each_accepted_format(upload: Path, data: bytes, media_type: str) -> None:
    probed = _probe(upload, data)
    assert (probed.media_type, probed.width, probed.height, probed.orientation) == (
        media_type,
        320,
        200,
        1,
    )
    assert probed.embedded == Embedded()
    assert re.fullmatch(r"#[0-9a-f]{6}", probed.dominant_color)
    hashed = list(base64.b64decode(probed.placeholder))
    assert thumbhash.thumb_hash_to_approximate_aspect_ratio(hashed) == pytest.approx(1.6, rel=0.2)


def test_the_name_plays_no_part(tmp_path: Path) -> None:
    assert _probe(tmp_path / "holiday.jpg", files.png(64, 48)).media_type == "image/png"


def test_the_placeholder_and_dominant_colour_show_the_picture(upload: Path) -> None:
    red = files.corner_square(120, 80, corner="top-left", size=120)
    probed = _probe(upload, files.encode(red, ".png"))
    assert probed.dominant_color == "#dc1e1e"
    average = thumbhash.thumb_hash_to_average_rgba(list(base64.b64decode(probed.placeholder)))
    assert [round(channel * 255) for channel in average[:3]] == pytest.approx([220, 30, 30], abs=12)


def test_transparency_is_shown_on_white(upload: Path) -> None:
    clear = files.corner_square(64, 64, corner="top-left", size=8).bandjoin(0)
    assert _probe(upload, files.encode(clear, ".png")).dominant_color == "#ffffff"


@pytest.mark.parametrize("profile", [None, "cmyk", "p3"])
def test_colour_is_described_in_srgb(upload: Path, profile: str | None) -> None:
    # The same sRGB colour, stored as CMYK or Display P3 with their ICC profiles (the
    # CMYK round trip moves it a few levels; read as RGB it would be far off).
    data = files.jpeg(image=files.solid(64, 48, (70, 130, 160)), quality=95, profile=profile)
    found = _probe(upload, data).dominant_color
    assert [int(found[i : i + 2], 16) for i in (1, 3, 5)] == pytest.approx([70, 130, 160], abs=12)


@pytest.mark.parametrize(
    ("orientation", "size"), [(1, (320, 200)), (3, (320, 200)), (6, (200, 320)), (8, (200, 320))]
)
def test_exif_orientation_is_reported_and_applied(
    upload: Path, orientation: int, size: tuple[int, int]
) -> None:
    probed = _probe(upload, files.jpeg(320, 200, orientation=orientation))
    assert (probed.orientation, (probed.width, probed.height)) == (orientation, size)
    ratio = thumbhash.thumb_hash_to_approximate_aspect_ratio(
        list(base64.b64decode(probed.placeholder))
    )
    assert ratio == pytest.approx(size[0] / size[1], rel=0.2)


def test_iptc_and_xmp_credits_from_a_jpeg(upload: Path) -> None:
    probed = _probe(upload, files.jpeg(64, 48, iptc=CREDITS, xmp={"credit": "XMP credit"}))
    assert probed.embedded == Embedded(
        credit_line="Ann Poe / Newswire", caption="Dawn over the harbour.", photographer="Ann Poe"
    )


def test_xmp_credits_from_a_png(upload: Path) -> None:
    assert (
        _probe(upload, files.png(64, 48, xmp=CREDITS)).embedded.credit_line == "Ann Poe / Newswire"
    )


# Refused formats: 415


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (files.svg(), "SVG"),
        (files.pdf(), "PDF"),
        (b"<html><body>a page</body></html>", "JPEG, PNG, WebP or AVIF"),
        (b"", "JPEG, PNG, WebP or AVIF"),
        (files.gif(), "a GIF"),
        (files.animated_gif(), "a GIF"),
        (files.tiff(), "a TIFF"),
        (files.heic(), "a HEIC"),
    ],
)
def test_formats_byline_does_not_take(upload: Path, data: bytes, named: str) -> None:
    detail = _refused(upload, data, UnsupportedImage)
    assert named in detail
    assert "JPEG, PNG, WebP or AVIF" in detail


def test_an_animated_webp_is_refused_as_not_a_still(upload: Path) -> None:
    detail = _refused(upload, files.animated_webp(frames=3), UnsupportedImage)
    assert "3 frames" in detail
    assert "still photographs" in detail


@pytest.mark.parametrize(
    "declared", ["image/png", "image/gif", "text/html", "image/svg+xml", "application/pdf"]
)
def test_a_content_type_that_disagrees_with_the_bytes(upload: Path, declared: str) -> None:
    detail = _refused(upload, files.jpeg(64, 48), UnsupportedImage, declared_type=declared)
    assert declared in detail
    assert "image/jpeg" in detail


@pytest.mark.parametrize(
    "declared",
    ["image/jpeg", "IMAGE/JPEG; q=1", "image/jpg", "image/pjpeg", "application/octet-stream"],
)
def test_a_content_type_that_agrees_or_says_nothing(upload: Path, declared: str) -> None:
    assert _probe(upload, files.jpeg(64, 48), declared_type=declared).media_type == "image/jpeg"


# Limits: 413, before anything is decoded


def test_a_pixel_flood_is_refused_from_its_header(upload: Path) -> None:
    # The file is a few dozen bytes: a decode would fail, so refusing shows the header
    # alone was read.
    detail = _refused(upload, files.pixel_flood_png(100_000, 100_000), ImageTooLarge)
    assert "100000 x 100000" in detail


def test_a_decompression_bomb_is_refused_from_its_header(upload: Path) -> None:
    data = files.decompression_bomb_png(30_000, 30_000)
    assert len(data) < 200_000
    assert "30000 x 30000" in _refused(upload, data, ImageTooLarge)


def test_the_pixel_limit_is_inclusive(upload: Path) -> None:
    data = files.png(64, 48)
    assert _probe(upload, data, UploadLimits(max_bytes=10**6, max_pixels=64 * 48)).width == 64
    with pytest.raises(ImageTooLarge, match="3071 pixels"):
        _probe(upload, data, UploadLimits(max_bytes=10**6, max_pixels=64 * 48 - 1))


def test_the_byte_limit(upload: Path) -> None:
    data = files.png(64, 48)
    with pytest.raises(ImageTooLarge, match=f"{len(data)} bytes"):
        _probe(upload, data, UploadLimits(max_bytes=len(data) - 1, max_pixels=10**6))


# Broken files: 422

ACCEPTED_FILES = {
    "jpeg": files.jpeg(320, 200),
    "progressive jpeg": files.jpeg(320, 200, progressive=True),
    "png": files.png(320, 200),
    "webp": files.webp(320, 200),
    "avif": files.avif(320, 200),
}


@pytest.mark.parametrize("data", ACCEPTED_FILES.values(), ids=ACCEPTED_FILES.keys())
@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_a_truncated_file(upload: Path, data: bytes, keep: float) -> None:
    _refused(upload, files.truncated(data, keep=keep), InvalidImage)


@pytest.mark.parametrize("data", ACCEPTED_FILES.values(), ids=ACCEPTED_FILES.keys())
def test_html_appended_to_an_image(upload: Path, data: bytes) -> None:
    detail = _refused(upload, files.with_html_appended(data), InvalidImage)
    assert "after the end of its image" in detail


def test_corrupt_pixel_data(upload: Path) -> None:
    data = bytearray(files.png(320, 200))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(byte ^ 0x55 for byte in data[middle : middle + 64])
    assert "cannot be decoded" in _refused(upload, bytes(data), InvalidImage)


def test_a_header_that_cannot_be_read(upload: Path) -> None:
    _refused(upload, files.jpeg(64, 48)[:200], InvalidImage)
