"""A cold rendition: a 6000x4000 JPEG to an 800 px WebP, from the file to the bytes.

Byline's own path (app.media.render.render, libvips through pyvips) against the
classic Pillow recipe on the same file in the same run: open, let the JPEG decoder
shrink by DCT scaling (draft), apply the EXIF orientation, resize with Lanczos and save
WebP at Byline's quality. AVIF and JPEG through Byline's path are timed for the record.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from app.media.render import render
from app.media.renditions import ORIGINAL, Rendition
from bench.images.timing import Timing, alternate, over
from tests.images.files import picture

SOURCE_WIDTH, SOURCE_HEIGHT = 6000, 4000
WIDTH = 800
SOURCE_QUALITY = 90
GRAIN = 3.0  # a little sensor noise, as a real photograph has
# Byline's WebP settings (app/media/render.py); Pillow's `method` is libwebp's effort.
WEBP_QUALITY, WEBP_EFFORT = 80, 4


@dataclass(frozen=True)
class Cold:
    source_bytes: int
    pyvips: Timing
    pillow: Timing
    others: list[Timing]  # pyvips to AVIF and JPEG

    @property
    def speedup(self) -> float:
        """How many times faster Byline's path is than Pillow's, by the medians."""
        return over(self.pyvips, self.pillow)


def write_source(path: Path) -> Path:
    image = picture(SOURCE_WIDTH, SOURCE_HEIGHT, noise=GRAIN)
    image.jpegsave(str(path), Q=SOURCE_QUALITY)
    return path


def byline_rendition(source: Path, format: str) -> bytes:
    return render(source, Rendition(ORIGINAL, WIDTH, format), focal_x=None, focal_y=None)


def pillow_webp(source: Path, width: int) -> bytes:
    with Image.open(source) as opened:
        # The decoder shrinks by 1/2, 1/4 or 1/8 while decoding, never below the size asked.
        opened.draft("RGB", (width, width * opened.height // opened.width))
        oriented = ImageOps.exif_transpose(opened)
        height = round(oriented.height * width / oriented.width)
        resized = oriented.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_EFFORT)
    return buffer.getvalue()


def run(source: Path, repeats: int) -> Cold:
    pyvips = Timing("pyvips (Byline) to WebP")
    pillow = Timing("Pillow to WebP")
    others = [Timing("pyvips (Byline) to AVIF"), Timing("pyvips (Byline) to JPEG")]
    alternate(
        [
            (pyvips, lambda: byline_rendition(source, "webp")),
            (pillow, lambda: pillow_webp(source, WIDTH)),
        ],
        repeats,
    )
    alternate(
        [
            (others[0], lambda: byline_rendition(source, "avif")),
            (others[1], lambda: byline_rendition(source, "jpeg")),
        ],
        repeats,
    )
    return Cold(source.stat().st_size, pyvips, pillow, others)
