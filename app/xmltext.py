"""Text made safe for XML 1.0, for every XML answer Byline writes (feeds, sitemaps)."""

import re

# XML 1.0 cannot hold these even as character references: C0 controls other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """The text with the characters XML cannot carry removed; the writer escapes the rest."""
    return _NOT_XML.sub("", value)
