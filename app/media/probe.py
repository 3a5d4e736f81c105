"""What an uploaded file is, decided by its bytes: format, size, orientation, the
credits its photographer embedded, and the placeholder documents show before it loads.

The checks run cheapest first, and nothing is decoded until the header has shown
the file to be an accepted format of an acceptable size:
1. the loader libvips picks from the bytes (never the name or the Content-Type):
   JPEG, PNG, WebP or AVIF, else 415;
2. the Content-Type the client declared, when it names a type, must agree: 415;
3. the pixel count from the header against the limit: 413, before a pixel is decoded
   (a pixel flood or a decompression bomb stops here);
4. one frame only: Byline serves still photographs, so an animated WebP or an AVIF
   sequence is refused (415) rather than silently cut to its first frame;
5. the container must end where the image ends (no polyglot tail): 422;
6. a full decode to the last pixel, streamed in strips so memory stays bounded
   whatever the size: a truncated or corrupt file is 422. The same pass makes the
   placeholder's thumbnail.
"""

import mmap
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from app.media import structure, vips
from app.media.embedded import Embedded as Embedded
from app.media.embedded import read_embedded
from app.media.placeholder import THUMBNAIL_SIZE, dominant_color, thumb_hash

ACCEPTED: dict[str, str] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
# Older names some clients still send for the accepted types.
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
# Declared types that say nothing about the format.
_UNDECLARED = {"application/octet-stream", "binary/octet-stream"}

_LOADERS = {
    "VipsForeignLoadJpeg": "jpeg",
    "VipsForeignLoadPng": "png",
    "VipsForeignLoadWebp": "webp",
    "VipsForeignLoadHeif": "avif",  # when its compression is AV1; else HEIC
}
# What refused formats are called in the problem's detail.
_REFUSED = {
    "Svg": "an SVG drawing",
    "Nsgif": "a GIF",
    "Gif": "a GIF",
    "Tiff": "a TIFF image",
    "Pdf": "a PDF document",
    "Jp2k": "a JPEG 2000 image",
    "Jxl": "a JPEG XL image",
    "Heif": "a HEIC image",
}
_FORMATS = "JPEG, PNG, WebP or AVIF"
# EXIF orientations 5 to 8 turn the picture a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "UploadLimits":
        return cls(max_bytes=settings.image_max_bytes, max_pixels=settings.image_max_pixels)


@dataclass(frozen=True, slots=True)
class Probed:
    media_type: str  # a value of ACCEPTED
    width: int  # as displayed: after the EXIF orientation
    height: int
    orientation: int  # the EXIF orientation of the original, 1 when none
    embedded: Embedded
    placeholder: str  # ThumbHash, base64
    dominant_color: str  # "#rrggbb"


def probe(path: Path, limits: UploadLimits, *, declared_type: str | None = None) -> Probed:
    """Decode the whole file and describe it, or raise the problem that refuses it:
    ImageTooLarge, UnsupportedImage or InvalidImage (app.errors)."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImageTooLarge(
            f"The file has {size} bytes; the most an upload may have is {limits.max_bytes}."
        )
    loader = vips.loader_of(path)
    if loader is None:
        raise UnsupportedImage(
            f"The file is not an image Byline takes: send a {_FORMATS} photograph"
            " (SVG, GIF, HEIC, TIFF and PDF files are refused)."
        )
    try:
        header = vips.load(path, loader)
    except vips.Error as exc:
        raise InvalidImage(f"The image's header cannot be read: {_reason(exc)}.") from exc
    kind = _kind(loader, header)
    _check_declared(kind, declared_type)
    width, height = header.width, header.height
    pages = vips.field(header, "n-pages") or 1
    if width * height * pages > limits.max_pixels:
        raise ImageTooLarge(
            f"The image has {width} x {height} pixels{f' in {pages} frames' if pages > 1 else ''};"
            f" the most an upload may have is {limits.max_pixels} pixels."
        )
    if pages > 1:
        raise UnsupportedImage(
            f"The image has {pages} frames. Byline serves still photographs: an animated"
            " image or an image sequence is refused; upload one frame as a still image."
        )
    _check_ends_with_image(path, kind)
    orientation = _orientation(header)
    placeholder, colour = _placeholder(path, loader)
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return Probed(
        media_type=ACCEPTED[kind],
        width=width,
        height=height,
        orientation=orientation,
        embedded=read_embedded(vips.field(header, "iptc-data"), vips.field(header, "xmp-data")),
        placeholder=placeholder,
        dominant_color=colour,
    )


def _reason(exc: vips.Error) -> str:
    """libvips' message, its last line (the others name internal operations)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1].rstrip(".") if lines else "unknown error"


def _kind(loader: str, header: vips.Image) -> str:
    family = loader.removeprefix("VipsForeignLoad").removesuffix("File")
    kind = _LOADERS.get(f"VipsForeignLoad{family}")
    if kind == "avif" and vips.field(header, "heif-compression") != "av1":
        kind = None
    if kind is None:
        name = _REFUSED.get(family, f"in a format Byline does not take ({family})")
        raise UnsupportedImage(f"The file is {name}; Byline takes {_FORMATS} photographs.")
    return kind


def _check_declared(kind: str, declared_type: str | None) -> None:
    if declared_type is None:
        return
    declared = declared_type.split(";")[0].strip().lower()
    declared = _ALIASES.get(declared, declared)
    if declared in _UNDECLARED or declared == ACCEPTED[kind]:
        return
    raise UnsupportedImage(
        f"The part's Content-Type is {declared}, but its bytes are {ACCEPTED[kind]}."
    )


def _check_ends_with_image(path: Path, kind: str) -> None:
    # Mapped, not read: the page cache holds the file, the process does not copy it.
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            end = structure.end_of_image(data, kind)
        except structure.Malformed as exc:
            raise InvalidImage(f"The file is not a whole {kind.upper()}: {exc}.") from exc
        if end != len(data):
            raise InvalidImage(
                f"The file has {len(data) - end} bytes after the end of its image;"
                " a file must hold the image alone."
            )


def _orientation(header: vips.Image) -> int:
    orientation = vips.field(header, "orientation")
    return orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1


def _placeholder(path: Path, loader: str) -> tuple[str, str]:
    """Decode every pixel (sequentially, a strip at a time), shrinking as it goes to
    the thumbnail the placeholder is made from."""
    try:
        image = vips.load(path, loader, access="sequential", fail_on="error")
        small = image.thumbnail_image(
            THUMBNAIL_SIZE, height=THUMBNAIL_SIZE, size="down", **vips.TO_SRGB
        )
        if not small.hasalpha():
            small = small.bandjoin(255)
        pixels = bytes(small.write_to_memory())
    except vips.Error as exc:
        raise InvalidImage(f"The image cannot be decoded to its end: {_reason(exc)}.") from exc
    return thumb_hash(small.width, small.height, pixels), dominant_color(pixels)
