"""Image files for tests and benches, drawn here so no third-party photo is ever committed.

Every function is deterministic: the same arguments give the same bytes. The pictures
look enough like photographs (gradients, shapes, optional grain) for encoders to behave
as they do on real ones. Hostile files (pixel floods, bombs, polyglots) are crafted
byte by byte, since no encoder would write them.
"""

import struct
import zlib
from pathlib import Path
from typing import Any

import pyvips

Credits = dict[str, str]  # keys: credit, caption, photographer

RED = (220.0, 30.0, 30.0)


def picture(
    width: int, height: int, *, alpha: bool = False, noise: float = 0.0, seed: int = 1
) -> Any:
    """A pyvips image: a sky-to-ground gradient with a sun, a hill and a house; with
    `noise` (a standard deviation in levels) the grain of a high-ISO photograph."""
    xy = pyvips.Image.xyz(width, height)
    x = xy[0] / max(width - 1, 1)
    y = xy[1] / max(height - 1, 1)
    image = (x * 60 + 40).bandjoin([y * 120 + 80, (1 - y) * 150 + 90]).cast("uchar").copy_memory()
    short = min(width, height)
    image = image.draw_circle(
        [250, 210, 60], int(width * 0.75), int(height * 0.25), max(short // 8, 1), fill=True
    )
    image = image.draw_circle(
        [40, 110, 50], int(width * 0.3), height + short // 3, max(short // 2, 1), fill=True
    )
    image = image.draw_rect(
        [170, 60, 40],
        int(width * 0.55),
        int(height * 0.55),
        width // 6 + 1,
        height // 5 + 1,
        fill=True,
    )
    if noise:
        grain = pyvips.Image.gaussnoise(width, height, sigma=noise, mean=0, seed=seed)
        image = (image + grain).cast("uchar")
    if alpha:
        # Opaque at the left, clear at the right: flattening must show white there.
        image = image.bandjoin((255 - x * 255).cast("uchar"))
    return image


def solid(width: int, height: int, colour: tuple[int, int, int]) -> Any:
    return (pyvips.Image.black(width, height, bands=3) + list(colour)).cast("uchar")


def corner_square(width: int, height: int, *, corner: str, size: int) -> Any:
    """A grey picture with one red square in a corner ("top-left", "bottom-right"...)."""
    image = (pyvips.Image.black(width, height, bands=3) + 128).cast("uchar").copy_memory()
    left = 0 if corner.endswith("left") else width - size
    top = 0 if corner.startswith("top") else height - size
    return image.draw_rect(list(RED), left, top, size, size, fill=True)


def encode(image: Any, suffix: str, **options: Any) -> bytes:
    data: bytes = image.write_to_buffer(suffix, **options)
    return data


def _with_metadata(
    image: Any, *, orientation: int | None, xmp: Credits | None, gps: bool, profile: str | None
) -> Any:
    if profile is not None:
        image = image.icc_transform(profile)
    image = image.copy()
    if orientation is not None:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    if xmp is not None:
        image.set_type(pyvips.GValue.blob_type, "xmp-data", xmp_packet(xmp))
    if gps:
        image.set_type(pyvips.GValue.gstr_type, "exif-ifd3-GPSLatitudeRef", "N")
        image.set_type(pyvips.GValue.gstr_type, "exif-ifd3-GPSLatitude", "48/1 12/1 30/1")
        image.set_type(pyvips.GValue.gstr_type, "exif-ifd0-Make", "Bylinecam")
    return image


def jpeg(
    width: int = 640,
    height: int = 480,
    *,
    orientation: int | None = None,
    iptc: Credits | None = None,
    xmp: Credits | None = None,
    gps: bool = False,
    profile: str | None = None,
    quality: int = 85,
    noise: float = 0.0,
    progressive: bool = False,
    image: Any = None,
) -> bytes:
    """A JPEG; `profile` is a libvips profile name ("cmyk", "p3") the pixels are
    converted to and tagged with."""
    image = picture(width, height, noise=noise) if image is None else image
    image = _with_metadata(image, orientation=orientation, xmp=xmp, gps=gps, profile=profile)
    data = encode(image, ".jpg", Q=quality, interlace=progressive)
    return data if iptc is None else splice_app13(data, iptc_irb(iptc))


def png(
    width: int = 640, height: int = 480, *, alpha: bool = False, xmp: Credits | None = None
) -> bytes:
    image = _with_metadata(
        picture(width, height, alpha=alpha), orientation=None, xmp=xmp, gps=False, profile=None
    )
    return encode(image, ".png")


def webp(
    width: int = 640, height: int = 480, *, alpha: bool = False, orientation: int | None = None
) -> bytes:
    image = _with_metadata(
        picture(width, height, alpha=alpha),
        orientation=orientation,
        xmp=None,
        gps=False,
        profile=None,
    )
    return encode(image, ".webp", Q=80)


def avif(width: int = 640, height: int = 480, *, alpha: bool = False) -> bytes:
    data: bytes = picture(width, height, alpha=alpha).heifsave_buffer(
        compression="av1", Q=60, effort=0
    )
    return data


def heic(width: int = 64, height: int = 48) -> bytes:
    """A file branded HEIC (libvips here has no HEVC encoder: an AVIF, rebranded, which
    libvips then reports as HEVC-compressed)."""
    data = avif(width, height)
    return data[:32].replace(b"avif", b"heic") + data[32:]


def _frames(width: int, height: int, frames: int) -> Any:
    pages = [
        picture(width, height, seed=page).draw_rect([page * 60 % 256] * 3, 0, 0, 8, 8)
        for page in range(frames)
    ]
    strip = pyvips.Image.arrayjoin(pages, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [100] * frames)
    return strip


def animated_webp(width: int = 64, height: int = 48, *, frames: int = 2) -> bytes:
    return encode(_frames(width, height, frames), ".webp")


def animated_gif(width: int = 64, height: int = 48, *, frames: int = 2) -> bytes:
    return encode(_frames(width, height, frames), ".gif")


def gif(width: int = 64, height: int = 48) -> bytes:
    return encode(picture(width, height), ".gif")


def tiff(width: int = 64, height: int = 48) -> bytes:
    return encode(picture(width, height), ".tif")


def svg(width: int = 64, height: int = 48) -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="{width}" height="{height}" fill="#c33"/>'
        "<script>alert(document.cookie)</script></svg>"
    ).encode()


def pdf() -> bytes:
    """A minimal one-page PDF (a document, not a photograph)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 64 48]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def truncated(data: bytes, *, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


def with_html_appended(data: bytes) -> bytes:
    """A polyglot: a valid image that a browser sniffing the tail could take for HTML."""
    return data + b"<html><body><script>alert(document.cookie)</script></body></html>\n"


# PNG crafted by hand: headers that lie about the size behind them.


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width: int, height: int, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def pixel_flood_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few dozen bytes whose header claims width x height RGB pixels."""
    return _png(width, height, 8, 2, zlib.compress(b"\x00" * 64))


def decompression_bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A complete, valid 1-bit greyscale PNG of width x height zeros, about a thousand
    times smaller than its pixels: decoding it would need gigabytes of RGB."""
    row = b"\x00" * (1 + (width + 7) // 8)
    squeezer = zlib.compressobj(9)
    parts = [squeezer.compress(row) for _ in range(height)]
    parts.append(squeezer.flush())
    return _png(width, height, 1, 0, b"".join(parts))


# Embedded credits, written as photo desks' tools write them.


def iptc_irb(credits: Credits, *, encoding: str = "utf-8", declared: bool = True) -> bytes:
    """A Photoshop image resource block holding one IPTC IIM resource (0x0404) with
    By-line (2:80), Credit (2:110) and Caption-Abstract (2:120) in `encoding`;
    `declared` adds the 1:90 coded character set that says the text is UTF-8."""

    def dataset(record: int, number: int, value: bytes) -> bytes:
        return struct.pack(">BBBH", 0x1C, record, number, len(value)) + value

    iim = dataset(1, 90, b"\x1b%G") if declared else b""
    iim += dataset(2, 0, b"\x00\x04")
    for number, key in ((80, "photographer"), (110, "credit"), (120, "caption")):
        if key in credits:
            iim += dataset(2, number, credits[key].encode(encoding))
    padding = b"\x00" * (len(iim) % 2)
    return (
        b"8BIM"
        + struct.pack(">H", 0x0404)
        + b"\x00\x00"
        + struct.pack(">I", len(iim))
        + (iim + padding)
    )


def splice_app13(data: bytes, irb: bytes) -> bytes:
    """Insert a "Photoshop 3.0" APP13 segment right after the JPEG's SOI marker."""
    body = b"Photoshop 3.0\x00" + irb
    segment = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    return data[:2] + segment + data[2:]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xmp_packet(credits: Credits) -> bytes:
    """An XMP packet with photoshop:Credit, dc:description (x-default) and dc:creator."""
    fields = []
    if "credit" in credits:
        fields.append(f"<photoshop:Credit>{_escape(credits['credit'])}</photoshop:Credit>")
    if "caption" in credits:
        fields.append(
            "<dc:description><rdf:Alt>"
            '<rdf:li xml:lang="fr">Légende</rdf:li>'
            f'<rdf:li xml:lang="x-default">{_escape(credits["caption"])}</rdf:li>'
            "</rdf:Alt></dc:description>"
        )
    if "photographer" in credits:
        fields.append(
            "<dc:creator><rdf:Seq>"
            f"<rdf:li>{_escape(credits['photographer'])}</rdf:li><rdf:li>Second Shooter</rdf:li>"
            "</rdf:Seq></dc:creator>"
        )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        + "".join(fields)
        + "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


# Big files for the benches.


def write_large_jpeg(
    path: Path, width: int = 6000, height: int = 4000, *, quality: int = 95, noise: float = 12.0
) -> int:
    """Write a photo-like JPEG to `path` (encoded straight to the file); its size in
    bytes. At 6000 x 4000 the defaults give about 13 MB; quality 100 and
    noise 20 about 30 MB."""
    picture(width, height, noise=noise).jpegsave(path, Q=quality)
    return path.stat().st_size
