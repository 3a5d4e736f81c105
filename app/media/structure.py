"""Where an image file's own bytes end, read from its container structure.

Decoders stop at the end of the image and ignore whatever follows, so a valid JPEG
with an HTML page appended decodes cleanly; served as is, a browser sniffing the
tail could run it (a polyglot). Uploads must end where their image ends: this
module finds that offset for each accepted format without decoding a pixel.

It works on anything indexable that has `find` (bytes, or an mmap of the file, so
a 40 MB upload is never read into memory).
"""

from typing import Protocol


class Malformed(ValueError):
    """The structure is broken: it runs past the end of the data or is not the format."""


class Buffer(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, index: slice, /) -> bytes: ...

    def find(self, sub: bytes, start: int = ..., /) -> int: ...


def end_of_image(data: Buffer, kind: str) -> int:
    """The offset just past the image's last byte; `kind` is "jpeg", "png", "webp" or
    "avif". Raises Malformed when the structure does not hold together."""
    match kind:
        case "jpeg":
            return _jpeg_end(data)
        case "png":
            return _png_end(data)
        case "webp":
            return _webp_end(data)
        case "avif":
            return _bmff_end(data)
    raise ValueError(f"no structure known for {kind!r}")


def _take(data: Buffer, offset: int, size: int) -> bytes:
    chunk = data[offset : offset + size]
    if len(chunk) < size:
        raise Malformed(f"the file ends inside a structure at byte {offset}")
    return chunk


# JPEG markers that stand alone, with no length: TEM and the restart markers.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_SOS, _EOI = 0xDA, 0xD9


def _jpeg_end(data: Buffer) -> int:
    if _take(data, 0, 2) != b"\xff\xd8":
        raise Malformed("not a JPEG: no start-of-image marker")
    offset = 2
    while True:
        if _take(data, offset, 1) != b"\xff":
            raise Malformed(f"expected a JPEG marker at byte {offset}")
        # Any number of 0xFF fill bytes may come before a marker.
        while (marker := _take(data, offset + 1, 1)[0]) == 0xFF:
            offset += 1
        offset += 2
        if marker == _EOI:
            return offset
        if marker in _STANDALONE:
            continue
        length = int.from_bytes(_take(data, offset, 2), "big")
        if length < 2:
            raise Malformed(f"a JPEG segment of length {length} at byte {offset}")
        _take(data, offset, length)
        offset += length
        if marker == _SOS:
            offset = _entropy_end(data, offset)


def _entropy_end(data: Buffer, offset: int) -> int:
    """The offset of the marker that ends a scan's entropy-coded data. Inside it an
    0xFF is followed by 0x00 (a stuffed byte) or a restart marker; anything else is
    the next marker (a progressive file has several scans, each with its own)."""
    while True:
        found = data.find(b"\xff", offset)
        if found < 0:
            raise Malformed("the JPEG ends inside its entropy-coded data")
        follower = _take(data, found + 1, 1)[0]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            offset = found + 2
        elif follower == 0xFF:
            # A fill byte; the marker is further on.
            offset = found + 1
        else:
            return found


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_end(data: Buffer) -> int:
    if _take(data, 0, 8) != _PNG_SIGNATURE:
        raise Malformed("not a PNG: no signature")
    offset = 8
    while True:
        length = int.from_bytes(_take(data, offset, 4), "big")
        kind = _take(data, offset + 4, 4)
        # Length, type, data and CRC.
        end = offset + 12 + length
        _take(data, end - 1, 1)
        if kind == b"IEND":
            return end
        offset = end


def _webp_end(data: Buffer) -> int:
    header = _take(data, 0, 12)
    if header[:4] != b"RIFF" or header[8:] != b"WEBP":
        raise Malformed("not a WebP: no RIFF WEBP header")
    size = int.from_bytes(header[4:8], "little")
    # RIFF pads an odd-sized payload with one byte.
    end = 8 + size + size % 2
    _take(data, end - 1, 1)
    return end


def _bmff_end(data: Buffer) -> int:
    """AVIF is ISO-BMFF: top-level boxes (ftyp, meta, mdat...) to the end of the file.
    There is no end marker, so the end is where the last well-formed box ends: bytes
    after it that do not form a box (HTML, say) are left over."""
    if _take(data, 4, 4) != b"ftyp":
        raise Malformed("not an ISO-BMFF file: no ftyp box first")
    offset, total = 0, len(data)
    while offset + 8 <= total:
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        header = 8
        if size == 1:
            if offset + 16 > total:
                break
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
            header = 16
        elif size == 0:
            # The last box, running to the end of the file.
            return total
        if size < header or offset + size > total or not _box_type(kind):
            break
        offset += size
    return offset


def _box_type(kind: bytes) -> bool:
    return all(0x20 <= byte <= 0x7E for byte in kind)
