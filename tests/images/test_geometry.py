"""Crops and sizes: the largest box of a ratio, placed round the focal point."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.media.geometry import Box, crop_box, output_size, ratio_value


@pytest.mark.parametrize(
    ("name", "value"), [("1x1", 1.0), ("16x9", 16 / 9), ("4x3", 4 / 3), ("1.91x1", 1.91)]
)
def test_ratio_names(name: str, value: float) -> None:
    assert ratio_value(name) == pytest.approx(value)


@pytest.mark.parametrize("name", ["16:9", "x9", "wide", "16x9x2"])
def test_a_name_that_is_no_ratio_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a ratio"):
        ratio_value(name)


def test_a_square_of_a_landscape_is_its_full_height_centred_by_default() -> None:
    assert crop_box(6000, 4000, 1.0, None, None) == Box(left=1000, top=0, width=4000, height=4000)


def test_a_wide_crop_of_a_portrait_is_its_full_width() -> None:
    assert crop_box(3000, 4000, 16 / 9, None, None) == Box(0, 1156, 3000, 1688)


def test_the_focal_point_moves_the_box() -> None:
    assert crop_box(6000, 4000, 1.0, 0.4, 0.5).left == 400


def test_the_box_stops_at_the_edges() -> None:
    assert crop_box(6000, 4000, 1.0, 0.0, 0.0) == Box(0, 0, 4000, 4000)
    assert crop_box(6000, 4000, 1.0, 1.0, 1.0) == Box(2000, 0, 4000, 4000)
    assert crop_box(4000, 6000, 1.0, 1.0, 0.95) == Box(0, 2000, 4000, 4000)


@given(
    width=st.integers(1, 10_000),
    height=st.integers(1, 10_000),
    ratio=st.sampled_from([1.0, 4 / 3, 16 / 9, 1.91, 3 / 4]),
    focal_x=st.floats(0, 1),
    focal_y=st.floats(0, 1),
)
def test_the_box_is_inside_of_the_ratio_and_as_near_the_focal_point_as_it_can_be(
    width: int, height: int, ratio: float, focal_x: float, focal_y: float
) -> None:
    box = crop_box(width, height, ratio, focal_x, focal_y)
    assert 0 <= box.left <= box.left + box.width <= width
    assert 0 <= box.top <= box.top + box.height <= height
    # One side is the picture's whole side; the other is the ratio's, to the pixel.
    assert box.width == width or box.height == height
    assert abs(box.width - box.height * ratio) <= max(1, ratio)
    # Centred on the focal point unless that would cross an edge.
    centre_x = box.left + box.width / 2
    if box.left not in (0, width - box.width):
        assert abs(centre_x - focal_x * width) <= 1


def test_a_width_below_the_box_scales_it() -> None:
    assert output_size(4000, 3000, 800) == (800, 600)


@pytest.mark.parametrize("width", [640, 641, 10_000])
def test_never_enlarges(width: int) -> None:
    assert output_size(640, 480, width) == (640, 480)


def test_a_thin_box_keeps_one_pixel() -> None:
    assert output_size(8000, 2, 100) == (100, 1)
