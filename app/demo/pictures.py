"""The demo newsroom's photographs, drawn at load time: no third-party picture ships.

Each picture is a scene the record describes in outline: a sky over a landscape with
buildings, the people it depicts standing where the caption puts them (a lectern in
front of a lone speaker), or a studio portrait for an author's headshot. The colours
come from the image's key, so every picture differs and the same key always draws the
same bytes. Shapes are composed on a small canvas and scaled up to the record's size,
then given a film grain, which makes them look and compress like photographs.
"""

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyvips

# Composing on a canvas this wide keeps drawing cheap; scaling up softens the edges.
CANVAS_WIDTH = 480
GRAIN_SIGMA = 5.0
GRAIN_TILE = 256
JPEG_QUALITY = 85
# Where a depicted person stands across the frame, by the caption's word.
POSITIONS: Mapping[str, float] = {"left": 0.27, "center": 0.5, "right": 0.73}

Colour = tuple[float, float, float]
DARK_SKIN: Colour = (95, 60, 45)
LIGHT_SKIN: Colour = (240, 205, 180)
HAIR: Sequence[Colour] = (
    (25, 20, 15),
    (70, 45, 25),
    (120, 85, 50),
    (170, 140, 90),
    (150, 150, 150),
)
SHIRT: Colour = (235, 235, 240)


@dataclass(frozen=True, slots=True)
class Picture:
    """What to draw for one image record."""

    key: str
    width: int
    height: int
    headshot: bool
    people: tuple[float, ...]  # the horizontal centre of each person shown, 0..1


def pictures(content: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Picture]:
    """One picture per image of the demo content, in its order."""
    headshots = {p["headshot"] for p in content["people"] if p.get("headshot")}
    return [
        Picture(
            key=record["key"],
            width=record["width"],
            height=record["height"],
            headshot=record["key"] in headshots,
            people=tuple(POSITIONS.get(d["position"], 0.5) for d in record["depicted"]),
        )
        for record in content["images"]
    ]


def draw(picture: Picture) -> bytes:
    """The picture as a baseline JPEG of the record's width and height."""
    chance = random.Random(hashlib.sha256(picture.key.encode()).digest())  # noqa: S311
    scale = min(1.0, CANVAS_WIDTH / picture.width)
    canvas = _Canvas(
        max(round(picture.width * scale), 1), max(round(picture.height * scale), 1), chance
    )
    if picture.headshot:
        canvas.studio()
        canvas.person(0.5, size=0.62)
    else:
        canvas.landscape()
        size = 0.5 if len(picture.people) < 3 else 0.42
        for centre in picture.people:
            canvas.person(centre + chance.uniform(-0.03, 0.03), size=size)
        if len(picture.people) == 1:
            canvas.lectern(picture.people[0])
    return _finish(canvas.image, picture.width, picture.height, chance)


def _finish(image: Any, width: int, height: int, chance: random.Random) -> bytes:
    # Computed once at canvas size: scaling up reads each canvas pixel many times.
    image = image.cast("uchar").copy_memory()
    image = image.resize(width / image.width, vscale=height / image.height, kernel="linear")
    # Rounding in the resize may leave a pixel too few or too many.
    image = image.gravity("centre", width, height, extend="copy")
    # Gaussian noise is slow to make: one tile of it, repeated, is as grainy to the eye.
    # Signed 8-bit grain keeps the sum in integers, twice as fast as adding floats.
    tile = pyvips.Image.gaussnoise(
        GRAIN_TILE, GRAIN_TILE, sigma=GRAIN_SIGMA, mean=0, seed=chance.randrange(2**31)
    ).cast("char")
    grain = tile.replicate(-(-width // GRAIN_TILE), -(-height // GRAIN_TILE)).crop(
        0, 0, width, height
    )
    image = (image + grain).cast("uchar").copy(interpretation="srgb")
    data: bytes = image.jpegsave_buffer(Q=JPEG_QUALITY, optimize_coding=True)
    return data


def _blend(low: Colour, high: Colour, t: float) -> Colour:
    r, g, b = (a + (z - a) * t for a, z in zip(low, high, strict=True))
    return (r, g, b)


def _shade(colour: Colour, factor: float) -> Colour:
    r, g, b = colour
    return (min(r * factor, 255.0), min(g * factor, 255.0), min(b * factor, 255.0))


class _Canvas:
    """A lazy pyvips image that shapes are painted over, in painting order."""

    def __init__(self, width: int, height: int, chance: random.Random) -> None:
        self.width, self.height, self.chance = width, height, chance
        xy = pyvips.Image.xyz(width, height)
        self.x, self.y = xy[0], xy[1]
        self.image: Any = pyvips.Image.black(width, height, bands=3)

    def _colour(self, low: Iterable[float], high: Iterable[float]) -> Colour:
        r, g, b = (self.chance.uniform(a, b) for a, b in zip(low, high, strict=True))
        return (r, g, b)

    def _paint(self, mask: Any, colour: Colour) -> None:
        self.image = mask.ifthenelse(list(colour), self.image)

    def _gradient(self, top: Colour, bottom: Colour, start: float, end: float) -> Any:
        """A vertical blend from `top` at height fraction `start` to `bottom` at `end`."""
        span = max((end - start) * self.height, 1.0)
        t = (self.y - start * self.height) / span
        t = (t < 0).ifthenelse(0, (t > 1).ifthenelse(1, t))
        return (1 - t) * list(top) + t * list(bottom)

    def rect(self, left: float, top: float, right: float, bottom: float, colour: Colour) -> None:
        """Fractions of the canvas's width and height."""
        w, h = self.width, self.height
        mask = (
            (self.x >= left * w)
            & (self.x < right * w)
            & (self.y >= top * h)
            & (self.y < bottom * h)
        )
        self._paint(mask, colour)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: Colour) -> None:
        """Centre in fractions of width and height; both radii in fractions of the height,
        so a circle stays round whatever the frame's shape."""
        h = self.height
        dx = (self.x - cx * self.width) / max(rx * h, 0.5)
        dy = (self.y - cy * h) / max(ry * h, 0.5)
        self._paint((dx * dx + dy * dy) < 1, colour)

    def studio(self) -> None:
        """A backdrop lit from the front: lighter behind the sitter's head."""
        base = self._colour((60, 60, 70), (150, 150, 170))
        dx = self.x / self.width - 0.5
        dy = self.y / self.height - 0.35
        self.image = (1.3 - (dx * dx + dy * dy) ** 0.5) * list(base)

    def landscape(self) -> None:
        """Sky, far hills, a skyline of buildings with lit windows and the ground."""
        chance = self.chance
        horizon = chance.uniform(0.5, 0.65)
        top = self._colour((40, 90, 150), (120, 160, 220))
        low = self._colour((190, 170, 150), (240, 220, 210))
        self.image = self._gradient(top, low, 0.0, horizon)
        hills = self._colour((60, 90, 60), (110, 130, 100))
        for _ in range(3):
            self.ellipse(chance.random(), horizon + 0.05, chance.uniform(0.3, 0.8), 0.12, hills)
        left = -0.05
        while left < 1.0:
            width = chance.uniform(0.06, 0.16)
            roof = horizon - chance.uniform(0.08, 0.35)
            wall = self._colour((80, 80, 80), (200, 190, 180))
            self.rect(left, roof, left + width, horizon + 0.02, wall)
            self._windows(left, roof, left + width, horizon, _shade(wall, 0.55))
            left += width + chance.uniform(0.0, 0.05)
        ground = self._colour((70, 70, 60), (140, 130, 110))
        self.image = self._paint_below(
            horizon, self._gradient(ground, _shade(ground, 0.6), horizon, 1)
        )

    def _paint_below(self, horizon: float, ground: Any) -> Any:
        return (self.y >= (horizon + 0.02) * self.height).ifthenelse(ground, self.image)

    def _windows(
        self, left: float, top: float, right: float, bottom: float, colour: Colour
    ) -> None:
        w, h = self.width, self.height
        pitch = max(round(self.chance.uniform(0.012, 0.02) * w), 3)
        inside = (
            (self.x >= left * w + 2)
            & (self.x < right * w - 2)
            & (self.y >= top * h + 3)
            & (self.y < bottom * h - 3)
        )
        grid = ((self.x % pitch) < pitch // 2) & ((self.y % (pitch + 1)) < pitch // 2)
        self._paint(inside & grid, colour)

    def person(self, centre: float, *, size: float) -> None:
        """Head and shoulders rising from the bottom edge; `size` is the figure's height
        as a fraction of the frame's."""
        chance = self.chance
        skin = _blend(DARK_SKIN, LIGHT_SKIN, chance.random())
        hair = chance.choice(HAIR)
        grey = chance.uniform(20, 90)
        suit = self._colour((grey, grey, grey), (grey + 15, grey + 15, grey + 30))
        head = size * 0.17
        head_y = 1 - size * 0.72
        # The neck first: the jacket covers its lower end.
        self.ellipse(centre, 1 - size * 0.45, head * 0.5, size * 0.15, _shade(skin, 0.85))
        self.ellipse(centre, 1 + size * 0.12, size * 0.5, size * 0.52, suit)
        self.ellipse(centre, 1 - size * 0.36, size * 0.035, size * 0.05, SHIRT)
        self.ellipse(centre, head_y - head * 0.2, head * 0.88, head * 0.9, hair)
        self.ellipse(centre, head_y, head * 0.78, head, skin)

    def lectern(self, centre: float) -> None:
        wood = self._colour((70, 40, 20), (140, 100, 70))
        self.rect(centre - 0.12, 0.78, centre + 0.12, 1.0, wood)
        self.ellipse(centre, 0.86, 0.04, 0.04, self._colour((180, 150, 40), (230, 210, 120)))
