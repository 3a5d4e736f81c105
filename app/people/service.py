"""Person and author cards, built in batches from the tables."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.documents import queries
from app.documents.graph import Builder, Graph
from app.documents.people import PersonPublic
from app.documents.refs import RefKind
from app.editing.references import Reference
from app.editing.rows import save_fields
from app.errors import NotFound
from app.models import Affiliation, Person
from app.models.enums import PersonKind
from app.pagination import after_keyset, decode_cursor, split_page
from app.people.schemas import AffiliationCreate, AuthorPublic, PersonCreate

AUTHOR_CURSOR = (str, int)
_sort_key = func.coalesce(col(Person.sort_name), col(Person.name))


def person_cards(session: Session, ids: Sequence[int]) -> list[PersonPublic]:
    graph = Graph(session)
    graph.load_cards(ids)
    builder = Builder(graph)
    return [builder.person(pid) for pid in ids if pid in graph.people]


def visible_person(session: Session, person_id: int, now: datetime) -> PersonPublic:
    """A person or organization that some published article shows."""
    if not queries.is_visible(session, RefKind.person, person_id, now):
        raise NotFound(f"No published content shows a person with id {person_id}.")
    return person_cards(session, [person_id])[0]


def author_cards(session: Session, ids: Sequence[int], now: datetime) -> list[AuthorPublic]:
    counts = queries.counts_by_ref(session, RefKind.author, ids, now)
    return [
        AuthorPublic(**card.model_dump(), article_count=counts.get(card.id, 0))
        for card in person_cards(session, ids)
    ]


def author(session: Session, author_id: int, now: datetime) -> AuthorPublic:
    cards = author_cards(session, [author_id], now)
    if not cards or cards[0].article_count == 0:
        raise NotFound(f"No author with id {author_id} has published articles.")
    return cards[0]


def authors_page(
    session: Session, *, now: datetime, limit: int, cursor: str | None
) -> tuple[list[AuthorPublic], str | None]:
    """Authors with published articles, by sort name."""
    statement = select(col(Person.id), _sort_key).where(
        col(Person.id).in_(queries.visible_ref_ids(RefKind.author, now))
    )
    if cursor is not None:
        after = decode_cursor(cursor, AUTHOR_CURSOR)
        statement = statement.where(
            after_keyset((_sort_key, col(Person.id)), after, descending=False)
        )
    rows = session.execute(statement.order_by(_sort_key, col(Person.id)).limit(limit + 1)).all()
    page, next_cursor = split_page(rows, limit, lambda row: (row[1], row[0]))
    return author_cards(session, [row[0] for row in page], now), next_cursor


def write_person(session: Session, row: Person | None, data: PersonCreate, actor: str) -> Person:
    fields = data.model_dump(exclude={"affiliations"}, mode="json")
    replacing = row is not None
    row = save_fields(session, Person, row, fields, actor)
    if replacing:
        session.execute(delete(Affiliation).where(col(Affiliation.person_id) == row.id))
    assert row.id is not None
    session.add_all(
        Affiliation(person_id=row.id, position=position, **affiliation.model_dump())
        for position, affiliation in enumerate(data.affiliations)
    )
    session.flush()
    return row


def person_contents(session: Session, rows: Sequence[Person]) -> list[PersonCreate]:
    """Each person as a write would send it; one query for all their affiliations."""
    affiliations: dict[int, list[Affiliation]] = {}
    for affiliation in session.exec(
        select(Affiliation)
        .where(col(Affiliation.person_id).in_([row.id for row in rows]))
        .order_by(col(Affiliation.person_id), col(Affiliation.position))
    ):
        affiliations.setdefault(affiliation.person_id, []).append(affiliation)
    return [
        PersonCreate.model_validate(
            {
                **row.model_dump(include=set(PersonCreate.model_fields) - {"affiliations"}),
                "affiliations": [
                    a.model_dump(include=set(AffiliationCreate.model_fields))
                    for a in affiliations.get(row.id or 0, [])
                ],
            }
        )
        for row in rows
    ]


def person_references(data: PersonCreate) -> list[Reference]:
    refs = []
    if data.headshot_image_id is not None:
        refs.append(Reference("image", data.headshot_image_id, ("headshot_image_id",)))
    refs += [
        Reference(
            "person",
            a.organization_id,
            ("affiliations", i, "organization_id"),
            person_kind=PersonKind.organization,
        )
        for i, a in enumerate(data.affiliations)
        if a.organization_id is not None
    ]
    return refs
