"""What an uploaded file is, decided by its bytes: format, size, orientation, the
credits its photographer embedded, and the placeholder documents show before it loads."""

from dataclasses import dataclass
from pathlib import Path

from app.config import Settings

ACCEPTED: dict[str, str] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "UploadLimits":
        return cls(max_bytes=settings.image_max_bytes, max_pixels=settings.image_max_pixels)


@dataclass(frozen=True, slots=True)
class Embedded:
    """Credits written into the file by the photographer (IPTC IIM or XMP)."""

    credit_line: str | None = None
    caption: str | None = None
    photographer: str | None = None


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
    raise NotImplementedError
