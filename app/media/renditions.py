"""What renditions exist and what they are called: their URLs and storage keys.

A rendition is a crop (the original shape, or a ratio such as 16x9), a width from
the allowlist and a format. Its version is derived from the file's bytes and the
focal point, so a new upload or a moved focal point gives every rendition a new
URL, and a URL once served never changes meaning: it can be cached for a year.
"""

import hashlib
from dataclasses import dataclass

from app.config import Settings

ORIGINAL = "original"
FORMATS: dict[str, str] = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
# Bumped when rendering changes output (quality, encoder settings), to re-key every file.
PIPELINE = "1"


@dataclass(frozen=True, slots=True)
class Rendition:
    crop: str  # ORIGINAL or a ratio name from the allowlist, such as "16x9"
    width: int
    format: str  # a key of FORMATS


@dataclass(frozen=True, slots=True)
class RenditionRules:
    """The allowlist: nothing outside it is ever rendered."""

    widths: tuple[int, ...]
    ratios: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> "RenditionRules":
        return cls(widths=tuple(settings.image_widths), ratios=tuple(settings.image_ratios))

    @property
    def crops(self) -> tuple[str, ...]:
        return (ORIGINAL, *self.ratios)

    def allows(self, rendition: Rendition) -> bool:
        return (
            rendition.crop in self.crops
            and rendition.width in self.widths
            and rendition.format in FORMATS
        )


def version(sha256: str, focal_x: float | None, focal_y: float | None) -> str:
    """16 hex digits naming what every rendition of this file and focal point shows."""
    focal = f"{0.5 if focal_x is None else focal_x:.4f},{0.5 if focal_y is None else focal_y:.4f}"
    return hashlib.sha256(f"{PIPELINE}:{sha256}:{focal}".encode()).hexdigest()[:16]


def rendition_path(image_id: int, rendition: Rendition, version: str | None = None) -> str:
    """The public URL path: /v1/images/42/w/800.webp, /v1/images/42/16x9/w/800.webp,
    with ?v=<version> when versioned (immutable)."""
    crop = "" if rendition.crop == ORIGINAL else f"/{rendition.crop}"
    path = f"/v1/images/{image_id}{crop}/w/{rendition.width}.{rendition.format}"
    return path if version is None else f"{path}?v={version}"


def rendition_key(image_id: int, version: str, rendition: Rendition) -> str:
    return f"renditions/{image_id}/{version}/{rendition.crop}/{rendition.width}.{rendition.format}"


def renditions_prefix(image_id: int) -> str:
    return f"renditions/{image_id}/"


def original_key(image_id: int, sha256: str) -> str:
    """The original as uploaded, byte for byte: the archive copy."""
    return f"originals/{image_id}/{sha256}"
