"""Rendering a rendition: the crop, the size, the colour, and nothing of the original's
metadata in the served file."""

from pathlib import Path
from typing import Any

import pytest
import pyvips

from app.media.render import render
from app.media.renditions import ORIGINAL, Rendition
from tests.images import files

LOADERS = {"webp": "webpload_buffer", "avif": "heifload_buffer", "jpeg": "jpegload_buffer"}
FORMATS = list(LOADERS)
CREDITS = {"credit": "Ann Poe / Newswire", "caption": "Harbour", "photographer": "Ann Poe"}


def _original(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "original"
    path.write_bytes(data)
    return path


def _render(
    source: Path,
    crop: str = ORIGINAL,
    width: int = 320,
    fmt: str = "webp",
    focal: tuple[float, float] | None = None,
) -> Any:
    data = render(
        source,
        Rendition(crop=crop, width=width, format=fmt),
        focal_x=None if focal is None else focal[0],
        focal_y=None if focal is None else focal[1],
    )
    image = pyvips.Image.new_from_buffer(data, "")
    assert image.get("vips-loader") == LOADERS[fmt]
    return image


def _colour(image: Any, x: int, y: int) -> list[float]:
    pixel: list[float] = image(x, y)[:3]
    return pixel


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_of_the_original_metadata_is_served(tmp_path: Path, fmt: str) -> None:
    source = _original(
        tmp_path,
        files.jpeg(640, 480, iptc=CREDITS, xmp=CREDITS, gps=True, orientation=3, profile="p3"),
    )
    data = render(
        source, Rendition(crop=ORIGINAL, width=320, format=fmt), focal_x=None, focal_y=None
    )
    image = pyvips.Image.new_from_buffer(data, "")
    fields = set(image.get_fields())
    assert not fields & {"exif-data", "xmp-data", "iptc-data", "icc-profile-data", "orientation"}
    assert not [name for name in fields if name.startswith("exif-")]
    for trace in (b"Exif", b"GPS", b"Bylinecam", b"Photoshop", b"8BIM", b"xmpmeta", b"Ann Poe"):
        assert trace not in data


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("profile", [None, "p3", "cmyk"])
def test_colour_is_converted_to_srgb(tmp_path: Path, fmt: str, profile: str | None) -> None:
    colour = (70, 130, 160)
    source = _original(
        tmp_path, files.jpeg(image=files.solid(64, 48, colour), quality=95, profile=profile)
    )
    image = _render(source, width=32, fmt=fmt)
    assert (image.interpretation, image.bands) == ("srgb", 3)
    assert _colour(image, 16, 12) == pytest.approx(colour, abs=12)


@pytest.mark.parametrize(
    ("crop", "width", "size"),
    [
        (ORIGINAL, 320, (320, 240)),
        ("16x9", 320, (320, 180)),
        ("1x1", 320, (320, 320)),
        ("4x3", 100, (100, 75)),
        ("1.91x1", 600, (600, 314)),
        # Never enlarged: the box at its own size.
        (ORIGINAL, 2000, (640, 480)),
        ("1x1", 1000, (480, 480)),
        ("16x9", 640, (640, 360)),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_size_per_crop_and_width(
    tmp_path: Path, crop: str, width: int, size: tuple[int, int], fmt: str
) -> None:
    image = _render(_original(tmp_path, files.jpeg(640, 480)), crop, width, fmt)
    assert (image.width, image.height) == size


@pytest.mark.parametrize("data", [files.png(640, 480), files.webp(640, 480), files.avif(640, 480)])
def test_every_accepted_original(tmp_path: Path, data: bytes) -> None:
    image = _render(_original(tmp_path, data), "16x9", 320, "jpeg")
    assert (image.width, image.height) == (320, 180)


def test_the_focal_point_moves_the_crop(tmp_path: Path) -> None:
    source = _original(
        tmp_path,
        files.encode(files.corner_square(400, 200, corner="bottom-right", size=60), ".png"),
    )
    kept = _render(source, "1x1", 100, "jpeg", focal=(0.95, 0.9))
    assert _colour(kept, 95, 95) == pytest.approx(files.RED, abs=24)
    cut = _render(source, "1x1", 100, "jpeg", focal=(0.1, 0.5))
    assert _colour(cut, 95, 95) == pytest.approx([128, 128, 128], abs=8)
    # Unset is the middle: a square of the middle does not reach the corner either.
    middle = _render(source, "1x1", 100, "jpeg")
    assert _colour(middle, 95, 95) == pytest.approx([128, 128, 128], abs=8)


@pytest.mark.parametrize(("orientation", "corner"), [(6, (1, 0)), (3, (1, 1)), (8, (0, 1))])
def test_exif_orientation_is_applied(
    tmp_path: Path, orientation: int, corner: tuple[int, int]
) -> None:
    # Stored 320 x 200 with red at its top left; displayed turned as EXIF says.
    stored = files.corner_square(320, 200, corner="top-left", size=40)
    source = _original(tmp_path, files.jpeg(image=stored, orientation=orientation, quality=95))
    image = _render(source, ORIGINAL, 160, "jpeg")
    turned = orientation in (6, 8)
    assert (image.width, image.height) == ((160, 256) if turned else (160, 100))
    x = 4 if corner[0] == 0 else image.width - 5
    y = 4 if corner[1] == 0 else image.height - 5
    assert _colour(image, x, y) == pytest.approx(files.RED, abs=24)


def test_transparency_is_flattened_on_white_for_jpeg_and_kept_otherwise(tmp_path: Path) -> None:
    # Opaque at the left, clear at the right.
    source = _original(tmp_path, files.png(320, 200, alpha=True))
    jpeg = _render(source, ORIGINAL, 160, "jpeg")
    assert jpeg.bands == 3
    assert _colour(jpeg, 159, 10) == pytest.approx([255, 255, 255], abs=6)
    webp = _render(source, ORIGINAL, 160, "webp")
    assert webp.bands == 4
    assert webp(159, 10)[3] < 10


@pytest.mark.parametrize(
    ("interpretation", "vips_format"), [("b-w", "uchar"), ("rgb16", "ushort"), ("grey16", "ushort")]
)
def test_untagged_grey_and_16_bit_originals_come_out_as_8_bit_srgb(
    tmp_path: Path, interpretation: str, vips_format: str
) -> None:
    ramp = pyvips.Image.xyz(400, 300).extract_band(0) * (256 if vips_format == "ushort" else 0.6)
    bands = 3 if interpretation == "rgb16" else 1
    original = ramp.bandjoin([ramp] * (bands - 1)) if bands > 1 else ramp
    source = tmp_path / "original.png"
    original.cast(vips_format).copy(interpretation=interpretation).pngsave(str(source))
    image = _render(source, width=200, fmt="jpeg")
    assert (image.interpretation, image.format, image.bands) == ("srgb", "uchar", 3)
    # The ramp survives the conversion: dark on the left, light on the right.
    assert _colour(image, 5, 100)[0] < 40 < 200 < _colour(image, 194, 100)[0]
