"""Writing XML a piece at a time, always well-formed whatever the text holds."""

import io
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from app.xmltext import xml_text


class XmlStream:
    """One document under `root`, handed out in chunks as it is written.

    The SAX writer escapes text and attributes; `drain` takes what was written since the
    last call, so a long document never sits in memory whole.
    """

    def __init__(self, root: str, attributes: dict[str, str]) -> None:
        self._root = root
        self._out = io.StringIO()
        self._xml = XMLGenerator(self._out, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()
        self._xml.startElement(root, AttributesImpl(attributes))

    def start(self, name: str) -> None:
        self._xml.startElement(name, AttributesImpl({}))

    def end(self, name: str) -> None:
        self._xml.endElement(name)

    def element(self, name: str, text: str) -> None:
        self.start(name)
        self._xml.characters(xml_text(text))
        self.end(name)

    def drain(self) -> bytes:
        written = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return written.encode()

    def close(self) -> bytes:
        self._xml.endElement(self._root)
        self._xml.endDocument()
        return self.drain()
