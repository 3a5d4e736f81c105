"""The one-line bio shown under an author's name, built from ordered affiliations."""

from collections.abc import Iterable
from typing import Protocol


class AffiliationLike(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def organization(self) -> str | None: ...
    @property
    def organization_full_name(self) -> str | None: ...
    @property
    def is_current(self) -> bool: ...
    @property
    def note(self) -> str | None: ...


def format_affiliation(affiliation: AffiliationLike) -> str:
    """`Fellow, ACME (Association for ...)` or `former member of Parliament (Unity Party)`.

    The comma comes only with an organization to follow it; a full name given without the
    short one is the organization's name, not a dangling parenthesis.
    """
    text = affiliation.role if affiliation.is_current else f"former {affiliation.role}"
    short, full = affiliation.organization, affiliation.organization_full_name
    if short and full:
        text += f", {short} ({full})"
    elif short or full:
        text += f", {short or full}"
    if affiliation.note:
        text += f" ({affiliation.note})"
    return text


def bio_line(affiliations: Iterable[AffiliationLike], *, written: str | None = None) -> str | None:
    """The line an editor wrote, exactly; otherwise the affiliations joined in order."""
    if written is not None:
        return written
    parts = [format_affiliation(a) for a in affiliations]
    return "; ".join(parts) or None
