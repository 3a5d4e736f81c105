"""The demo's drawn photographs: one per image record, its size, the same bytes per key."""

import pytest
import pyvips

from app.demo.loader import demo_content
from app.demo.pictures import Picture, draw, pictures


def decoded(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "", access="sequential")


def test_every_image_record_gets_a_picture_and_authors_headshots_are_portraits() -> None:
    content = demo_content()
    headshots = {p["headshot"] for p in content["people"] if p["headshot"]}

    found = {p.key: p for p in pictures(content)}

    assert list(found) == [record["key"] for record in content["images"]]
    assert {key for key, p in found.items() if p.headshot} == headshots
    for record in content["images"]:
        assert len(found[record["key"]].people) == len(record["depicted"])
        assert (found[record["key"]].width, found[record["key"]].height) == (
            record["width"],
            record["height"],
        )


def test_people_stand_where_the_caption_places_them() -> None:
    content = {
        "people": [],
        "images": [
            {
                "key": "img-summit",
                "width": 1600,
                "height": 1067,
                "depicted": [{"position": "right"}, {"position": "left"}],
            }
        ],
    }

    (picture,) = pictures(content)

    assert picture.people[0] > 0.5 > picture.people[1]
    assert not picture.headshot


@pytest.mark.parametrize(
    "picture",
    [
        Picture("img-hs-someone", 800, 800, headshot=True, people=(0.5,)),
        Picture("img-summit", 1601, 1067, headshot=False, people=(0.27, 0.73)),
        Picture("img-lectern", 1280, 720, headshot=False, people=(0.5,)),
        Picture("img-landscape", 2400, 1600, headshot=False, people=()),
    ],
)
def test_a_picture_is_a_jpeg_of_the_records_size_drawn_the_same_each_time(
    picture: Picture,
) -> None:
    data = draw(picture)

    image = decoded(data)
    assert image.get("vips-loader") == "jpegload_buffer"
    assert (image.width, image.height, image.bands) == (picture.width, picture.height, 3)
    assert draw(picture) == data


def test_each_key_has_its_own_colours() -> None:
    first = Picture("img-one", 800, 600, headshot=False, people=())
    second = Picture("img-two", 800, 600, headshot=False, people=())

    difference = (decoded(draw(first)).cast("float") - decoded(draw(second))).abs().avg()

    # Grain alone differs by a few levels; different skies and buildings by far more.
    assert difference > 10
