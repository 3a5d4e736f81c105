"""The credits a photographer embeds in a file: IPTC IIM and XMP, as photo desks use them.

IPTC IIM sits in a Photoshop image resource block (libvips' "iptc-data"); XMP is an
RDF packet (libvips' "xmp-data"). Where both give a field, IPTC wins: agencies'
desks still fill IIM first, and tools that sync the two copy IIM into XMP.
Metadata that cannot be read is ignored, never a reason to refuse a photograph.
"""

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

# The columns of the image record these fill (app.models.images.Image).
CREDIT_LIMIT = 500
CAPTION_LIMIT = 20_000
NAME_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Embedded:
    """Credits written into the file by the photographer (IPTC IIM or XMP)."""

    credit_line: str | None = None
    caption: str | None = None
    photographer: str | None = None


def read_embedded(iptc: bytes | None, xmp: bytes | None) -> Embedded:
    first = read_iptc(iptc) if iptc else Embedded()
    second = read_xmp(xmp) if xmp else Embedded()
    return Embedded(
        credit_line=first.credit_line or second.credit_line,
        caption=first.caption or second.caption,
        photographer=first.photographer or second.photographer,
    )


def _clean(value: str | None, limit: int) -> str | None:
    """Trimmed, without control characters (IIM values often end in NUL), clipped to
    the column; None when nothing is left."""
    if value is None:
        return None
    text = _CONTROLS.sub("", value).strip()[:limit].rstrip()
    return text or None


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\ufeff]")


# IPTC IIM


_PHOTOSHOP = b"Photoshop 3.0\x00"
_IPTC_RESOURCE = 0x0404
_UTF8 = b"\x1b%G"  # ISO 2022 escape that 1:90 uses to declare UTF-8


def read_iptc(block: bytes) -> Embedded:
    iim = _iim_of(block.removeprefix(_PHOTOSHOP))
    if iim is None:
        return Embedded()
    fields = _datasets(iim)
    encoding = "utf-8" if fields.get((1, 90)) == _UTF8 else None

    def text(number: int) -> str | None:
        value = fields.get((2, number))
        return None if value is None else _decode(value, encoding)

    return Embedded(
        credit_line=_clean(text(110), CREDIT_LIMIT),
        caption=_clean(text(120), CAPTION_LIMIT),
        photographer=_clean(text(80), NAME_LIMIT),
    )


def _iim_of(block: bytes) -> bytes | None:
    """The IIM inside a Photoshop image resource block (or the block itself when it is
    bare IIM, as some writers leave it)."""
    if block.startswith(b"\x1c"):
        return block
    offset = 0
    while offset + 12 <= len(block) and block[offset : offset + 4] == b"8BIM":
        resource = int.from_bytes(block[offset + 4 : offset + 6], "big")
        # A Pascal string name padded to an even length, then the size and the data,
        # itself padded to an even length.
        name_length = block[offset + 6]
        offset += 6 + name_length + 1 + (name_length + 1) % 2
        size = int.from_bytes(block[offset : offset + 4], "big")
        offset += 4
        if resource == _IPTC_RESOURCE:
            return block[offset : offset + size]
        offset += size + size % 2
    return None


def _datasets(iim: bytes) -> dict[tuple[int, int], bytes]:
    """The first value of each (record, dataset) pair."""
    fields: dict[tuple[int, int], bytes] = {}
    offset = 0
    while offset + 5 <= len(iim) and iim[offset] == 0x1C:
        record, number = iim[offset + 1], iim[offset + 2]
        size = int.from_bytes(iim[offset + 3 : offset + 5], "big")
        offset += 5
        if size & 0x8000:
            # An extended dataset: the low bits count the bytes that hold the size.
            width = size & 0x7FFF
            size = int.from_bytes(iim[offset : offset + width], "big")
            offset += width
        fields.setdefault((record, number), iim[offset : offset + size])
        offset += size
    return fields


def _decode(value: bytes, encoding: str | None) -> str:
    """UTF-8 when declared or when the bytes are valid UTF-8 (many tools write it
    without saying so); else Windows-1252, the usual legacy desk encoding."""
    if encoding is not None:
        return value.decode(encoding, errors="replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


# XMP

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_PS = "{http://ns.adobe.com/photoshop/1.0/}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_xmp(packet: bytes) -> Embedded:
    try:
        # defusedxml refuses entity expansion and external references.
        root: Element = defusedxml.ElementTree.fromstring(packet.strip(b"\x00 \t\r\n"))
    except (ParseError, defusedxml.DefusedXmlException, ValueError):
        return Embedded()
    return Embedded(
        credit_line=_clean(_simple(root, f"{_PS}Credit"), CREDIT_LIMIT),
        caption=_clean(_default_language(root, f"{_DC}description"), CAPTION_LIMIT),
        photographer=_clean(_first_item(root, f"{_DC}creator"), NAME_LIMIT),
    )


def _simple(root: Element, name: str) -> str | None:
    """A simple property, written as an element or as an attribute of rdf:Description."""
    for description in root.iter(f"{_RDF}Description"):
        if name in description.attrib:
            return description.attrib[name]
    element = root.find(f".//{name}")
    return None if element is None else element.text


def _items(root: Element, name: str) -> list[Element]:
    element = root.find(f".//{name}")
    return [] if element is None else list(element.iter(f"{_RDF}li"))


def _default_language(root: Element, name: str) -> str | None:
    """The x-default entry of a language alternative (rdf:Alt), else its first."""
    items = _items(root, name)
    for item in items:
        if item.get(_XML_LANG) == "x-default":
            return item.text
    return items[0].text if items else None


def _first_item(root: Element, name: str) -> str | None:
    """The first of an ordered list (rdf:Seq): the main creator."""
    items = _items(root, name)
    return items[0].text if items else None
