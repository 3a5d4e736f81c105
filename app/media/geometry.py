"""The arithmetic of crops and sizes: which part of the picture a rendition shows and
how many pixels it has. Pure, so the rules can be tested without an image."""

from dataclasses import dataclass

from app.config import RATIO_PATTERN


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    width: int
    height: int


def ratio_value(name: str) -> float:
    """Width over height of a ratio name such as "16x9" or "1.91x1"."""
    match = RATIO_PATTERN.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a ratio such as 16x9 or 1.91x1")
    return float(match[1]) / float(match[2])


def crop_box(
    width: int, height: int, ratio: float, focal_x: float | None, focal_y: float | None
) -> Box:
    """The largest box of `ratio` inside a width x height picture, centred on the focal
    point (fractions of the width and height; unset is the middle) as far as the
    picture's edges allow."""
    if width / height > ratio:
        box_width, box_height = max(1, min(width, round(height * ratio))), height
    else:
        box_width, box_height = width, max(1, min(height, round(width / ratio)))
    return Box(
        left=_place(width, box_width, 0.5 if focal_x is None else focal_x),
        top=_place(height, box_height, 0.5 if focal_y is None else focal_y),
        width=box_width,
        height=box_height,
    )


def _place(extent: int, size: int, focal: float) -> int:
    """Where a box of `size` starts along `extent` to centre on `focal`, kept inside."""
    return min(max(round(focal * extent - size / 2), 0), extent - size)


def output_size(box_width: int, box_height: int, width: int) -> tuple[int, int]:
    """The rendition's width and height for a requested width: the box scaled to it,
    never enlarged (a width beyond the box's gives the box's own size)."""
    if width >= box_width:
        return box_width, box_height
    return width, max(1, round(box_height * width / box_width))
