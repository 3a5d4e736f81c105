"""Rendering one rendition from an original: orient, crop round the focal point,
shrink, convert to sRGB and encode with no metadata."""

from pathlib import Path

from app.media.renditions import Rendition


def render(
    source: Path,
    rendition: Rendition,
    *,
    focal_x: float | None,
    focal_y: float | None,
) -> bytes:
    """The encoded rendition. Never enlarges: a width beyond the crop's gives the crop
    at its own size."""
    raise NotImplementedError
