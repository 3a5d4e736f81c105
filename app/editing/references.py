"""References between records: every id a write names must exist (else 422 naming it)."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, SQLModel, col, select

from app.errors import FieldError, UnknownReference
from app.models import Image, Person, Quote, Tag
from app.models.enums import PersonKind

TABLES: dict[str, type[SQLModel]] = {
    "person": Person,
    "image": Image,
    "quote": Quote,
    "tag": Tag,
}


@dataclass(frozen=True)
class Reference:
    kind: str
    ident: int
    location: tuple[str | int, ...]
    person_kind: PersonKind | None = None


def _existing(session: Session, kind: str, ids: set[int]) -> dict[int, PersonKind | None]:
    """The ids that exist, with the person kind where the table has one."""
    if kind == "person":
        rows = session.exec(select(col(Person.id), col(Person.kind)).where(col(Person.id).in_(ids)))
        return {ident: person_kind for ident, person_kind in rows if ident is not None}
    # Every table in TABLES has an integer id; their common base type (SQLModel) does not.
    id_column = col(TABLES[kind].id)  # type: ignore[attr-defined]
    return dict.fromkeys(session.exec(select(id_column).where(id_column.in_(ids))))


def _error(ref: Reference, message: str, error_type: str) -> FieldError:
    return FieldError(location=["body", *ref.location], message=message, type=error_type)


def check_references(session: Session, references: Iterable[Reference]) -> None:
    references = list(references)
    errors: list[FieldError] = []
    for kind in TABLES:
        wanted = [r for r in references if r.kind == kind]
        if not wanted:
            continue
        found = _existing(session, kind, {r.ident for r in wanted})
        for ref in wanted:
            if ref.ident not in found:
                errors.append(_error(ref, f"No {kind} has id {ref.ident}.", "reference_missing"))
            elif ref.person_kind is not None and found[ref.ident] != ref.person_kind:
                message = f"Person {ref.ident} is not an {ref.person_kind.value}."
                errors.append(_error(ref, message, "reference_kind"))
    if errors:
        names = ", ".join(".".join(str(p) for p in e.location[1:]) for e in errors)
        raise UnknownReference(f"Unknown or unsuitable references: {names}.", errors=errors)
