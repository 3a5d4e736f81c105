"""Where an image's own bytes end: the polyglot check, format by format."""

import struct

import pytest

from app.media.structure import Malformed, end_of_image
from tests.images import files

WELL_FORMED = [
    ("jpeg", files.jpeg(96, 64)),
    ("jpeg", files.jpeg(96, 64, progressive=True)),
    ("jpeg", files.jpeg(96, 64, iptc={"credit": "Ann Poe"}, orientation=6)),
    ("jpeg", files.encode(files.picture(96, 64), ".jpg", restart_interval=1)),
    ("png", files.png(96, 64)),
    ("png", files.png(96, 64, alpha=True)),
    ("webp", files.webp(96, 64)),
    ("webp", files.animated_webp()),
    ("avif", files.avif(96, 64)),
]


@pytest.mark.parametrize(("kind", "data"), WELL_FORMED)
def test_a_well_formed_file_ends_at_its_last_byte(kind: str, data: bytes) -> None:
    assert end_of_image(data, kind) == len(data)


@pytest.mark.parametrize(("kind", "data"), WELL_FORMED)
def test_html_appended_is_left_over(kind: str, data: bytes) -> None:
    assert end_of_image(files.with_html_appended(data), kind) == len(data)


@pytest.mark.parametrize(("kind", "data"), [case for case in WELL_FORMED if case[0] != "avif"])
def test_a_truncated_file_is_malformed(kind: str, data: bytes) -> None:
    with pytest.raises(Malformed):
        end_of_image(files.truncated(data), kind)


def test_a_truncated_avif_ends_at_its_last_whole_box() -> None:
    # ISO-BMFF has no end marker: a cut box is simply not part of the image.
    data = files.avif(96, 64)
    assert end_of_image(files.truncated(data), "avif") < len(files.truncated(data))


def test_jpeg_stuffed_bytes_restart_markers_and_fill_bytes_stay_inside_a_scan() -> None:
    header = b"\xff\xd8" + b"\xff\xda\x00\x04\x01\x00"
    scan = b"\x12\xff\x00\x34\xff\xd0\x56\xff\xff\xff\xd9"
    assert end_of_image(header + scan + b"<html>", "jpeg") == len(header + scan)


def test_jpeg_eoi_inside_a_segment_is_not_the_end() -> None:
    # An EXIF thumbnail is a whole JPEG inside APP1: its EOI must not end the file.
    app1 = b"Exif\x00\x00\xff\xd8\xff\xd9"
    data = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"
    assert end_of_image(data, "jpeg") == len(data)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("jpeg", files.png(16, 16)),
        ("png", files.jpeg(16, 16)),
        ("webp", files.png(16, 16)),
        ("avif", files.png(16, 16)),
        ("jpeg", b"\xff\xd8garbage"),
        ("jpeg", b"\xff\xd8\xff\xe0\x00\x01"),
    ],
)
def test_another_format_or_garbage_is_malformed(kind: str, data: bytes) -> None:
    with pytest.raises(Malformed):
        end_of_image(data, kind)


def test_a_webp_pads_an_odd_payload() -> None:
    payload = b"VP8 " + struct.pack("<I", 1) + b"\x00"
    data = b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload + b"\x00"
    assert end_of_image(data + b"tail", "webp") == len(data)


def test_a_bmff_box_running_to_the_end_takes_everything() -> None:
    ftyp = struct.pack(">I4s4s", 16, b"ftyp", b"avif") + b"\x00" * 4
    data = ftyp + struct.pack(">I4s", 0, b"mdat") + b"anything at all"
    assert end_of_image(data, "avif") == len(data)


def test_a_bmff_large_size_box_is_followed() -> None:
    ftyp = struct.pack(">I4s4s", 16, b"ftyp", b"avif") + b"\x00" * 4
    mdat = struct.pack(">I4sQ", 1, b"mdat", 20) + b"\x01\x02\x03\x04"
    assert end_of_image(ftyp + mdat + b"<html>", "avif") == len(ftyp + mdat)
