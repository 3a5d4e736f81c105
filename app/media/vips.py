"""libvips, set up once for the process, and the calls Byline makes to it that are
shared by probing and rendering. pyvips ships no type information: images are Any."""

from pathlib import Path
from typing import Any

import pyvips

# libvips caches recent operations keyed by their arguments, file names included.
# Uploads are probed in temporary files whose names the system reuses, so a cached
# result could describe an earlier file; and each cached decode would keep pixels in
# every worker's memory after the request ends. Byline never repeats an operation
# (renditions are stored once rendered): the cache only costs memory. No cache.
pyvips.cache_set_max(0)
# Never run the loaders libvips marks untrusted (ImageMagick, MATLAB and the like),
# whatever a file claims to be.
pyvips.block_untrusted_set(True)

Image = Any  # a pyvips.Image


def loader_of(path: Path) -> str | None:
    """The libvips loader that the file's bytes select (its type name, such as
    "VipsForeignLoadJpegFile"), or None when no loader recognises them."""
    pointer = pyvips.vips_lib.vips_foreign_find_load(str(path).encode())
    if pointer == pyvips.ffi.NULL:
        # Not finding one leaves a message in libvips' error buffer; later errors
        # must not carry it.
        pyvips.vips_lib.vips_error_clear()
        return None
    name: str = pyvips.ffi.string(pointer).decode()
    return name


def load(path: Path, loader: str, **options: Any) -> Image:
    """Open a file with the named loader: lazily, reading the header only."""
    return pyvips.Operation.call(loader, str(path), **options)


def thumbnail(path: Path, width: int, **options: Any) -> Image:
    """libvips' thumbnail of a file: shrunk while decoding, turned upright (EXIF
    orientation), lazily evaluated."""
    return pyvips.Image.thumbnail(str(path), width, **options)


def field(image: Image, name: str) -> Any:
    """A metadata field, or None when the image has none."""
    return image.get(name) if image.get_typeof(name) else None


# Options for thumbnail(): pixels out in 8-bit sRGB whatever came in, through the
# embedded ICC profile when there is one (CMYK, Display P3, Adobe RGB...), libvips'
# own CMYK profile for untagged CMYK, and as sRGB otherwise (grey, 16-bit).
TO_SRGB: dict[str, str] = {"output_profile": "srgb", "intent": "perceptual"}


Error = pyvips.Error
