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
    """`Fellow, ACME (Association for ...)` or `former member of Parliament (Unity Party)`."""
    text = affiliation.role if affiliation.is_current else f"former {affiliation.role}"
    if affiliation.organization:
        text += f", {affiliation.organization}"
        if affiliation.organization_full_name:
            text += f" ({affiliation.organization_full_name})"
    if affiliation.note:
        text += f" ({affiliation.note})"
    return text


def bio_line(affiliations: Iterable[AffiliationLike]) -> str | None:
    parts = [format_affiliation(a) for a in affiliations]
    return "; ".join(parts) or None
