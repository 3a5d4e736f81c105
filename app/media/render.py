"""Rendering one rendition from an original: orient, crop round the focal point,
shrink, convert to sRGB and encode with no metadata."""

from pathlib import Path
from typing import Any

from app.media import vips
from app.media.geometry import Box, crop_box, output_size, ratio_value
from app.media.renditions import ORIGINAL, Rendition

# libvips' largest coordinate: a height that never limits a thumbnail sized by width.
_UNBOUNDED = 10_000_000
_WHITE = [255.0, 255.0, 255.0]
# Nothing of the original's metadata is kept: no EXIF (GPS, camera serial numbers),
# no XMP or IPTC, no ICC profile (the pixels are sRGB, which untagged means).
_KEEP_NOTHING = "none"
# Encoder settings. AVIF's effort trades encoding time for size: on a 1600 px
# rendition effort 2 took about a quarter of a second, effort 4 about two seconds.
_ENCODERS: dict[str, tuple[str, dict[str, Any]]] = {
    "webp": ("webpsave_buffer", {"Q": 80, "effort": 4}),
    "avif": ("heifsave_buffer", {"compression": "av1", "Q": 55, "effort": 2}),
    "jpeg": (
        "jpegsave_buffer",
        {"Q": 82, "interlace": True, "optimize_coding": True},
    ),
}
_QUARTER_TURNS = {5, 6, 7, 8}


def render(
    source: Path,
    rendition: Rendition,
    *,
    focal_x: float | None,
    focal_y: float | None,
) -> bytes:
    """The encoded rendition. Never enlarges: a width beyond the crop's gives the crop
    at its own size."""
    header = _header(source)
    width, height = _displayed_size(header)
    if rendition.crop == ORIGINAL:
        box = Box(0, 0, width, height)
    else:
        box = crop_box(width, height, ratio_value(rendition.crop), focal_x, focal_y)
    out_width, out_height = output_size(box.width, box.height, rendition.width)
    # Shrink the whole picture while decoding (a JPEG decodes at 1/2, 1/4 or 1/8 for
    # free), turned upright and in sRGB, then cut the box out of the small image.
    image = vips.thumbnail(
        source,
        max(1, round(width * out_width / box.width)),
        height=_UNBOUNDED,
        size="down",
        **(vips.TO_SRGB if _needs_profile(header) else {}),
    )
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb").cast("uchar")
    image = _cut(image, box, width, height, out_width, out_height)
    if rendition.format == "jpeg" and image.hasalpha():
        image = image.flatten(background=_WHITE)
    method, options = _ENCODERS[rendition.format]
    encoded: bytes = getattr(image, method)(keep=_KEEP_NOTHING, **options)
    return encoded


def _header(source: Path) -> vips.Image:
    loader = vips.loader_of(source)
    if loader is None:
        raise ValueError(f"{source} is not an image libvips reads")
    return vips.load(source, loader)


def _needs_profile(header: vips.Image) -> bool:
    """Whether colours must go through an ICC transform to become sRGB: the file
    carries a profile (Display P3, Adobe RGB, CMYK...) or is CMYK. Untagged files
    are sRGB already; converting them anyway cost a third of a cold rendition."""
    return vips.field(header, "icc-profile-data") is not None or bool(
        header.interpretation == "cmyk"
    )


def _displayed_size(header: vips.Image) -> tuple[int, int]:
    width, height = header.width, header.height
    if vips.field(header, "orientation") in _QUARTER_TURNS:
        return height, width
    return width, height


def _cut(
    image: vips.Image, box: Box, width: int, height: int, out_width: int, out_height: int
) -> vips.Image:
    """The box, scaled as the image was, at exactly the rendition's size (kept inside
    the image when rounding would push it a pixel over an edge)."""
    out_width, out_height = min(out_width, image.width), min(out_height, image.height)
    left = min(round(box.left * image.width / width), image.width - out_width)
    top = min(round(box.top * image.height / height), image.height - out_height)
    if (left, top, out_width, out_height) == (0, 0, image.width, image.height):
        return image
    return image.extract_area(left, top, out_width, out_height)
