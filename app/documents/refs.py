"""What a published document points at, for filtering, invalidation and CDN purges."""

from enum import StrEnum


class RefKind(StrEnum):
    author = "author"  # in the byline
    mention = "mention"  # in the people-mentioned list
    person = "person"  # anywhere in the document: byline, mention, speaker, pictured
    image = "image"
    quote = "quote"
    tag = "tag"


def surrogate_key(kind: str, ident: int) -> str:
    return f"{kind}:{ident}"
