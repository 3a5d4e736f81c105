"""What a page shows before a picture loads: a ThumbHash and a dominant colour.

Both come from a small sRGB RGBA thumbnail (at most 100 x 100, as ThumbHash needs),
made once at upload; this module is the arithmetic on its pixels. Transparency is
shown on white, as the JPEG renditions show it.
"""

import base64

import thumbhash

THUMBNAIL_SIZE = 100
# Bits kept per channel when pixels are binned by colour: 8 x 8 x 8 bins, coarse
# enough that a sky of slightly varying blues is one colour.
_BIN_BITS = 3


def thumb_hash(width: int, height: int, rgba: bytes) -> str:
    """The ThumbHash of a thumbnail of at most 100 x 100 pixels, base64."""
    if not (0 < width <= THUMBNAIL_SIZE and 0 < height <= THUMBNAIL_SIZE):
        raise ValueError(f"a ThumbHash needs at most 100 x 100 pixels, not {width} x {height}")
    # Opaque pixels only: thumbhash 0.1.2 fails on any transparency (it unpacks its
    # alpha channel's coefficients wrongly).
    hashed: list[int] = thumbhash.rgba_to_thumb_hash(width, height, list(_on_white(rgba)))
    return base64.b64encode(bytes(hashed)).decode()


def dominant_color(rgba: bytes) -> str:
    """The dominant colour, "#rrggbb": the mean colour of the most populated bin of a
    coarse colour histogram (a mean of the whole picture would be a muddy average of its parts)."""
    shift = 8 - _BIN_BITS
    bins: dict[int, list[int]] = {}
    opaque = _on_white(rgba)
    for offset in range(0, len(opaque), 4):
        red, green, blue = opaque[offset : offset + 3]
        key = (red >> shift) << (2 * _BIN_BITS) | (green >> shift) << _BIN_BITS | blue >> shift
        total = bins.setdefault(key, [0, 0, 0, 0])
        total[0] += red
        total[1] += green
        total[2] += blue
        total[3] += 1
    red, green, blue, count = max(bins.values(), key=lambda total: total[3])
    return "#{:02x}{:02x}{:02x}".format(*(round(value / count) for value in (red, green, blue)))


def _on_white(rgba: bytes) -> bytes:
    """The pixels composited on white, alpha 255."""
    if all(alpha == 255 for alpha in rgba[3::4]):
        return rgba
    opaque = bytearray(rgba)
    for offset in range(0, len(opaque), 4):
        alpha = opaque[offset + 3]
        for channel in range(offset, offset + 3):
            opaque[channel] = round((opaque[channel] * alpha + 255 * (255 - alpha)) / 255)
        opaque[offset + 3] = 255
    return bytes(opaque)
