"""Credits embedded by the photographer: IPTC IIM and XMP, read as photo desks expect."""

import struct

import pytest

from app.media.embedded import (
    CREDIT_LIMIT,
    NAME_LIMIT,
    Embedded,
    read_embedded,
    read_iptc,
    read_xmp,
)
from tests.images import files

CREDITS = {
    "credit": "Ann Poe / Newswire",
    "caption": "Crowds in Zürich\u2019s Bahnhofstrasse.",
    "photographer": "Ann Poe",
}
EXPECTED = Embedded(
    credit_line="Ann Poe / Newswire",
    caption="Crowds in Zürich\u2019s Bahnhofstrasse.",
    photographer="Ann Poe",
)


def _resource(resource: int, name: bytes, data: bytes) -> bytes:
    pascal = bytes([len(name)]) + name
    pascal += b"\x00" * (len(pascal) % 2)
    return (
        b"8BIM"
        + struct.pack(">H", resource)
        + pascal
        + struct.pack(">I", len(data))
        + data
        + (b"\x00" * (len(data) % 2))
    )


def test_iptc_in_a_photoshop_segment_as_libvips_gives_it() -> None:
    assert read_iptc(b"Photoshop 3.0\x00" + files.iptc_irb(CREDITS)) == EXPECTED


def test_iptc_after_other_resources_with_names_and_odd_sizes() -> None:
    block = _resource(0x03ED, b"res", b"\x01\x02\x03") + files.iptc_irb(CREDITS)
    assert read_iptc(block) == EXPECTED


def test_iptc_without_a_declared_charset_is_utf8_when_it_decodes() -> None:
    assert read_iptc(files.iptc_irb(CREDITS, declared=False)) == EXPECTED


def test_iptc_without_a_declared_charset_falls_back_to_windows_1252() -> None:
    block = files.iptc_irb({"caption": EXPECTED.caption or ""}, encoding="cp1252", declared=False)
    assert read_iptc(block).caption == "Crowds in Zürich\u2019s Bahnhofstrasse."


def test_iptc_extended_dataset_length() -> None:
    caption = b"A long caption. " * 4
    iim = b"\x1c\x02\x78\x80\x04" + struct.pack(">I", len(caption)) + caption
    assert read_iptc(_resource(0x0404, b"", iim)).caption == caption.decode().strip()


def test_iptc_is_trimmed_cleared_of_control_bytes_and_clipped() -> None:
    block = files.iptc_irb(
        {"credit": "  " + "x" * 600 + "\x00", "caption": "\x00 \t", "photographer": "y" * 300}
    )
    found = read_iptc(block)
    assert found.credit_line == "x" * CREDIT_LIMIT
    assert found.caption is None
    assert found.photographer == "y" * NAME_LIMIT


@pytest.mark.parametrize("block", [b"", b"Photoshop 3.0\x00", b"8BIM\x04", b"junk" * 10])
def test_iptc_that_is_absent_or_broken_gives_nothing(block: bytes) -> None:
    assert read_iptc(block) == Embedded()


def test_xmp_credit_default_language_caption_and_first_creator() -> None:
    assert read_xmp(files.xmp_packet(CREDITS)) == EXPECTED


def test_xmp_simple_property_as_an_attribute() -> None:
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        b' photoshop:Credit=" Pool / Reuters "/></rdf:RDF></x:xmpmeta>\x00\x00'
    )
    assert read_xmp(packet) == Embedded(credit_line="Pool / Reuters")


@pytest.mark.parametrize(
    "packet",
    [
        b"not xml",
        # Entity expansion ("billion laughs") is refused, not evaluated.
        b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_xmp_that_cannot_be_read_safely_gives_nothing(packet: bytes) -> None:
    assert read_xmp(packet) == Embedded()


def test_iptc_wins_over_xmp_and_xmp_fills_the_rest() -> None:
    iptc = files.iptc_irb({"credit": "IPTC credit"})
    xmp = files.xmp_packet({"credit": "XMP credit", "photographer": "XMP Person"})
    assert read_embedded(iptc, xmp) == Embedded(
        credit_line="IPTC credit", photographer="XMP Person"
    )


def test_nothing_embedded() -> None:
    assert read_embedded(None, None) == Embedded()
