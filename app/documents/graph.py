"""Loading related rows in batches and turning them into public schema objects.

Loading is batched by table (never per article, per block or per person), so a
page of twenty cards or a rebuild of ten thousand documents costs the same
handful of queries. The builder records every entity it embeds, which is what
makes targeted re-rendering and CDN purges possible.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.documents.bio import bio_line
from app.documents.images import (
    DepictedPerson,
    FocalPoint,
    ImagePublic,
    PlacedImage,
    image_file_public,
    rendition_links,
)
from app.documents.people import AffiliationPublic, Link, PersonPublic, PersonRef
from app.documents.quotes import QuotePublic
from app.documents.refs import RefKind
from app.models import Affiliation, Image, ImageDepiction, ImageFile, Person, Quote


@dataclass
class Graph:
    """Rows keyed by id, filled by the load_* methods."""

    session: Session
    people: dict[int, Person] = field(default_factory=dict)
    affiliations: dict[int, list[Affiliation]] = field(default_factory=lambda: defaultdict(list))
    images: dict[int, Image] = field(default_factory=dict)
    depictions: dict[int, list[ImageDepiction]] = field(default_factory=lambda: defaultdict(list))
    image_files: dict[int, ImageFile] = field(default_factory=dict)
    quotes: dict[int, Quote] = field(default_factory=dict)
    _with_affiliations: set[int] = field(default_factory=set)

    def load_people(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self.people.keys()
        if missing:
            rows = self.session.exec(select(Person).where(col(Person.id).in_(missing)))
            self.people.update({p.id: p for p in rows if p.id is not None})

    def load_cards(self, person_ids: Iterable[int]) -> None:
        """People with everything their card shows: affiliations and headshot."""
        ids = set(person_ids)
        self.load_people(ids)
        missing = ids - self._with_affiliations
        if missing:
            rows = self.session.exec(
                select(Affiliation)
                .where(col(Affiliation.person_id).in_(missing))
                .order_by(col(Affiliation.person_id), col(Affiliation.position))
            ).all()
            for row in rows:
                self.affiliations[row.person_id].append(row)
            self._with_affiliations |= missing
            self.load_people(r.organization_id for r in rows if r.organization_id is not None)
        self.load_images(
            p.headshot_image_id
            for pid in ids
            if (p := self.people.get(pid)) is not None and p.headshot_image_id is not None
        )

    def load_images(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self.images.keys()
        if not missing:
            return
        rows = self.session.exec(select(Image).where(col(Image.id).in_(missing)))
        self.images.update({i.id: i for i in rows if i.id is not None})
        depictions = self.session.exec(
            select(ImageDepiction)
            .where(col(ImageDepiction.image_id).in_(missing))
            .order_by(col(ImageDepiction.image_id), col(ImageDepiction.position))
        ).all()
        for depiction in depictions:
            self.depictions[depiction.image_id].append(depiction)
        self.image_files.update(
            (f.image_id, f)
            for f in self.session.exec(
                select(ImageFile).where(col(ImageFile.image_id).in_(missing))
            )
        )
        self.load_people(d.person_id for d in depictions)

    def load_quotes(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self.quotes.keys()
        if missing:
            rows = self.session.exec(select(Quote).where(col(Quote.id).in_(missing)))
            self.quotes.update({q.id: q for q in rows if q.id is not None})
            self.load_people(q.speaker_id for q in self.quotes.values() if q.speaker_id is not None)


class Builder:
    """Builds public objects from a loaded graph and records what it embedded."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.refs: set[tuple[RefKind, int]] = set()
        self.links = rendition_links(graph.session)

    def person_ref(self, person_id: int) -> PersonRef:
        person = self.graph.people[person_id]
        self.refs.add((RefKind.person, person_id))
        return PersonRef(
            id=person_id, kind=person.kind, name=person.name, description=person.description
        )

    def person(self, person_id: int) -> PersonPublic:
        person = self.graph.people[person_id]
        self.refs.add((RefKind.person, person_id))
        affiliations = []
        for row in self.graph.affiliations.get(person_id, []):
            if row.organization_id is not None:
                self.refs.add((RefKind.person, row.organization_id))
            affiliations.append(AffiliationPublic.model_validate(row, from_attributes=True))
        headshot = person.headshot_image_id
        return PersonPublic(
            id=person_id,
            kind=person.kind,
            name=person.name,
            sort_name=person.sort_name,
            description=person.description,
            bio=person.bio,
            bio_line=bio_line(affiliations, written=person.bio_line),
            affiliations=affiliations,
            headshot=self.image(headshot) if headshot is not None else None,
            links=[Link.model_validate(link) for link in person.links],
        )

    def image(self, image_id: int) -> ImagePublic:
        image = self.graph.images[image_id]
        self.refs.add((RefKind.image, image_id))
        depicted = []
        for depiction in self.graph.depictions.get(image_id, []):
            self.refs.add((RefKind.person, depiction.person_id))
            depicted.append(
                DepictedPerson(
                    person_id=depiction.person_id,
                    name=self.graph.people[depiction.person_id].name,
                    frame_position=depiction.frame_position,
                )
            )
        file = self.graph.image_files.get(image_id)
        return ImagePublic.model_validate(
            {
                **image.model_dump(),
                "focal_point": None
                if image.focal_x is None or image.focal_y is None
                else FocalPoint(x=image.focal_x, y=image.focal_y),
                "depicted": depicted,
                "file": None
                if file is None
                else image_file_public(
                    image_id, file, focal_x=image.focal_x, focal_y=image.focal_y, links=self.links
                ),
            }
        )

    def placed_image(self, image_id: int, caption: str | None) -> PlacedImage:
        image = self.image(image_id)
        return PlacedImage(caption=caption or image.caption, image=image)

    def quote(self, quote_id: int) -> QuotePublic:
        quote = self.graph.quotes[quote_id]
        self.refs.add((RefKind.quote, quote_id))
        speaker = None if quote.speaker_id is None else self.person_ref(quote.speaker_id)
        return QuotePublic.model_validate({**quote.model_dump(), "speaker": speaker})
