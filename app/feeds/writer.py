"""XML for feeds, written with ElementTree so that any text stays well-formed.

ElementTree escapes markup, but writes whatever characters it is given, and XML 1.0
cannot hold most control characters even as references: they are dropped here.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from app.feeds.model import Media
from app.xmltext import xml_text

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_RSS = "http://search.yahoo.com/mrss/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
DC_TERMS = "http://purl.org/dc/terms/"

# The prefixes written for these namespaces; ElementTree keeps them process-wide.
for prefix, uri in (
    ("atom", ATOM),
    ("media", MEDIA_RSS),
    ("dc", DUBLIN_CORE),
    ("dcterms", DC_TERMS),
):
    register_namespace(prefix, uri)


def child(
    parent: Element, tag: str, text: str | None = None, attributes: Mapping[str, str] | None = None
) -> Element:
    element = SubElement(parent, tag, {k: xml_text(v) for k, v in (attributes or {}).items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def media_content(parent: Element, media: Media) -> None:
    """Media RSS: the picture, its caption and its credit, as Atom and RSS both carry them."""
    attributes = {"url": media.url, "medium": "image"}
    if media.media_type is not None:
        attributes["type"] = media.media_type
    if media.width is not None and media.height is not None:
        attributes["width"], attributes["height"] = str(media.width), str(media.height)
    content = child(parent, f"{{{MEDIA_RSS}}}content", attributes=attributes)
    if media.caption is not None:
        child(content, f"{{{MEDIA_RSS}}}description", media.caption, {"type": "plain"})
    if media.credit is not None:
        child(content, f"{{{MEDIA_RSS}}}credit", media.credit)


def xml_document(root: Element) -> bytes:
    # Typeshed types tostring's answer by its encoding only loosely.
    written: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return written
