"""A large newsroom for benchmarks, made up from a seed: `byline bench-data --articles N`.

Everything is written as the app would have written it: records are validated
with the management API's schemas, every article has the two revisions a
create and a publish leave, the link tables come from the same code as a save,
and the published documents and summaries are rendered and stored by
`refresh_articles`, so readers get exactly what the app would have produced.

Proportions, for N articles (at N = 100,000 in brackets):
- authors: 1.25 x sqrt(N), at least 4 (about 400); 60% staff, 40% outside
  contributors. Each has one to three affiliations, so bio lines often read
  "Fellow, X; former Y". 80% have a headshot. Who writes is skewed: an
  author's share falls as 1/sqrt(rank), so a prolific correspondent has a few
  thousand articles and most authors a few hundred.
- officials: 6.3 x sqrt(N), at least 8 (about 2,000), and institutions:
  0.63 x sqrt(N), at least 4 (about 200). Officials hold roles at
  institutions; both are mentioned in articles (0 to 6 per article, skewed
  towards a few dozen who are in the news all the time).
- tags: 10 sections, places 0.6 x sqrt(N), topics 2.2 x sqrt(N) (about 900
  tags). Every article has one section, one or two places and one to four
  topics; places and topics are drawn with Zipf-like weights 1/rank, so a few
  tags hold thousands of articles and the long tail a handful each.
- articles: 80% news, 12% opinion (by contributors, with an author's note),
  8% analysis; 75% have one author, 20% two, 5% three or four. 5 to 11
  paragraphs (about 3 KB of text), sometimes a heading, a pull quote or an
  embed. 8% carry a correction time.
- images: 0.35 x N news photos (35,000), half of them depicting one or two
  officials, plus the headshots. 70% of articles have a lead image, 15% one or
  two images in the body; photos are reused, as file photos are.
- quotes: 0.12 x N (12,000), said by officials; 20% of articles quote one or
  two of them, so a quote appears in about two articles.
- publication times: about 50 articles a day (at least 30 days' worth),
  counting back from the hour the command runs, so /v1/articles pages deep in
  the list exist.
- page views, hourly: every article of the last 30 days is read over the three
  days after it appears, most in its first hours, with a heavy-tailed appeal,
  and about 1% of older articles (at least three) are still read in the last
  two days, so /v1/popular has real counts in every window.

The same seed and count give the same records, texts and slugs (and the same
ids on a freshly migrated database); only the times move with the hour the
command runs, unless `now` is given.
"""

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, insert, update
from sqlmodel import Session, SQLModel, col, select

from app.articles.writes import COLUMNS, _link_rows, content_of
from app.documents.articles import ArticleCreate
from app.documents.store import refresh_articles
from app.errors import Conflict
from app.images.schemas import ImageCreate
from app.models import (
    Affiliation,
    Article,
    ArticleRevision,
    Image,
    ImageDepiction,
    Person,
    Quote,
    Tag,
)
from app.models.enums import ArticleStatus
from app.people.schemas import PersonCreate
from app.popularity.counts import BucketKey, add_views
from app.popularity.windows import floor_hour
from app.progress import Progress
from app.quotes.schemas import QuoteCreate
from app.tags.schemas import TagCreate

ACTOR = "bench-data"
DEFAULT_SEED = 2026
MAX_ARTICLES = 1_000_000  # a typo's extra zeros should not fill a disk
# Articles written, rendered and flushed per step; small enough to keep memory flat.
CHUNK = 1_000
ARTICLES_PER_DAY = 50
PUBLICATION = "The Halvik Standard"
SITE = "https://halvikstandard.example"
IMAGES = "https://images.halvikstandard.example"


def _words(text: str) -> list[str]:
    return text.split()


SECTIONS = _words(
    "World Politics Business Climate Science Health Culture Sport Technology Education"
)
COUNTRIES = _words(
    """Norvania Kestria Dorvale Veltria Ostmark Sarnen Lusia Corvel Aldera Pellas Brennmoor
    Tarvos"""
)
PLACE_HEADS = ["Hal", "Tav", "Kar", "Mir", "Ost", "Vel", "Bren", "Cor", "Lus", "Pel"]
PLACE_HEADS += ["Sar", "Tor", "Ald", "Ves", "Dun", "Gral", "Ner", "Quel", "Rost", "Fen"]
PLACE_MIDDLES = ["", "a", "e", "i", "o", "an", "er"]
PLACE_TAILS = ["vik", "rin", "esh", "en", "mark", "ora", "moor", "ven", "ia", "as"]
PLACE_TAILS += ["gard", "holm", "ton", "dal", "ec", "burg", "ovo", "ara"]
FIRST_NAMES = _words(
    """Anna Bruno Clara Dmitri Elin Farid Greta Hugo Ines Jonas Kaja Leon Maren Nikolai Olga Pavel
    Rosa Stefan Tilde Ugo Vera Wim Yara Zoran Amira Bela Celine Dario Emil Freya Goran Hanna
    Ivo Jana Karim Lena Milan Nadia Oskar Petra Rafael Sofia Tomas Una Viktor Wanda Xavier
    Yusuf Zofia Adel Beatrix Casimir Dagny Edvard Fatima Gunnar Helga Ilya Josefine Kasper"""
)
LAST_NAMES = _words(
    """Haugland Malenkar Veresh Koral Quintero Rovelli Drozdan Okonkwo Lindqvist Marek Aaltonen
    Brenner Castell Dufresne Eriksen Falk Grimaldi Holt Ibsen Janssen Kovac Lund Moreau Novak
    Ostrowski Petrov Quist Rasmussen Sandor Toivonen Ulrich Varga Weiss Yilmaz Zeller Abara
    Bakker Cerny Dahl Esposito Fischer Gallo Horvat Iversen Jovanovic Kessler Laine Meier
    Nilsen Olsen Paredes Reyes Silva Tanaka Udeh Vogel Wagner Young Zorin Amundsen"""
)
PORTFOLIOS = ["Foreign", "Finance", "Interior", "Defence", "Health", "Energy", "Trade"]
PORTFOLIOS += ["Education", "Justice", "Transport", "Agriculture", "Environment"]
OFFICE_ROLES = ["Minister", "Deputy Minister", "spokesperson", "Secretary of State"]
INSTITUTION_KINDS = [
    "Water Authority",
    "Chamber of Commerce",
    "Port Authority",
    "Central Bank",
    "University",
    "Teachers' Union",
    "Medical Association",
    "Electoral Commission",
    "Farmers' Federation",
    "City Council",
    "Court of Appeal",
    "Housing Trust",
    "Transit Authority",
    "Energy Board",
    "Public Broadcaster",
]
THINK_TANKS = ["Institute for Peace Studies", "Centre for Energy Policy"]
THINK_TANKS += ["Council on International Affairs", "Foundation for Open Government"]
THINK_TANKS += ["Institute for Public Health", "Centre for Economic Research"]
INSTITUTION_ROLES = ["Director", "Chair", "Chief Executive", "Senior Fellow", "President"]
INSTITUTION_ROLES += ["General Counsel", "Chief Economist", "Head of Research"]
BEATS = ["Diplomatic correspondent", "Chief political correspondent", "Business reporter"]
BEATS += ["Climate reporter", "Science editor", "Health correspondent", "Culture critic"]
BEATS += ["Sports writer", "Technology reporter", "Education correspondent", "Bureau chief"]
BEATS += ["Investigations editor", "Data reporter", "Foreign editor"]
PARTIES = ["Civic Alliance", "Unity Party", "Green Left", "National Renewal", "Liberal Forum"]
TOPIC_ADJECTIVES = _words(
    """water energy trade border housing pension election budget climate farm transit school
    hospital tax rail port fishing mining media court police refugee vaccine bank labour river
    forest grain gas wind solar internet"""
)
TOPIC_NOUNS = _words(
    """policy talks reform crisis rights prices strike dispute deal inquiry plan shortage
    subsidies ruling protests tariffs funding scandal census ceasefire audit treaty standards
    safety reserves exports debate transition access security"""
)
VERBS = ["defends", "rejects", "backs", "questions", "delays", "unveils", "scraps", "expands"]
VERBS += ["warns over", "pushes for", "signs", "abandons", "revives", "challenges"]
HEADLINE_TAILS = [
    "as talks stall",
    "after weeks of pressure",
    "amid protests",
    "in a surprise move",
]
HEADLINE_TAILS += ["ahead of the vote", "despite warnings", "for a second time", "", "", ""]
KICKERS = ["Exclusive", "Explainer", "Live", "Fact check", "Interview"]
PHOTO_SUBJECTS = ["crowd gathers", "delegation arrives", "officials meet", "workers walk out"]
PHOTO_SUBJECTS += ["river floods the road", "ferry leaves port", "voters queue", "market opens"]
PROVIDERS = ["Kestria Press", "Nordline Photo", "Halvik Images", "Pellas Wire"]
DISTRIBUTORS = ["AP", "Reuters", "AFP", "Getty Images"]
EMBEDS = [("YouTube", "https://www.youtube.com/watch?v="), ("Vimeo", "https://vimeo.com/")]
SIZES = [(1600, 1067), (2048, 1365), (1200, 800), (1920, 1080), (1080, 1350)]
SENTENCE_POOL = 3_000

T = TypeVar("T")

MIDDLE_INITIALS = ["", *(f"{letter}. " for letter in "ABCDEFGHJKLMNOPRSTVW")]
TOPIC_QUALIFIERS = ["", "regional ", "national ", "cross-border "]
SECTION_WEIGHTS = [25, 20, 15, 8, 6, 8, 7, 6, 3, 2]
SENTENCES = [
    "{name}, the {role}, said the {topic} would be reviewed before the end of the year.",
    "Officials in {place} said {number} people had been affected so far.",
    "The {topic} has divided the governing coalition since it was first proposed in {year}.",
    "Critics say the {topic} leaves {place} exposed, a charge the government denies.",
    "{name} declined to comment on the figures, which were first reported on {weekday}.",
    "A vote is expected within {number} days, according to two people briefed on the talks.",
    "In {place}, where the effects have been felt most, the mood was one of cautious relief.",
    "The opposition has called for an inquiry into how the {topic} was handled.",
    "Data published on {weekday} showed a rise of {number} percent on the previous year.",
    "Negotiators from {place} and {other} met for {number} hours without reaching agreement.",
    "{name} told reporters that the {topic} was not negotiable.",
    "Economists expect the {topic} to cost about {number} million over five years.",
    "Residents of {place} said they had heard nothing from the authorities.",
    "The ministry said in a statement that it would publish its own assessment.",
]
LINKED = [
    ' The full <a href="{site}/documents/{number}">report</a> runs to {number} pages.',
    " The decision is <em>not</em> final, the court said.",
    ' Read <a href="{site}/explainers/{slug}">our explainer</a> on the {topic}.',
]
CONTEXTS = ["at a news conference", "in a statement", "in parliament", "at a rally"]
CONTEXTS += [f"in an interview with {PUBLICATION}", "in a radio interview"]
QUOTE_TEXTS = [
    "We will not accept a {topic} that is written for {place} and paid for by everyone else.",
    "Nobody in {place} should have to wait {number} days for an answer.",
    "The {topic} is the most serious test this government has faced, and we intend to pass it.",
    "We have asked for one thing, which is to be consulted, and we are still waiting.",
    "The numbers speak for themselves: {number} percent is not a rounding error.",
]
OPINION_HEADLINES = [
    "Why the {topic} needs a rethink",
    "{place} cannot afford another {topic}",
    "The {topic} is failing the people it was meant to help",
    "What {place} gets wrong about the {topic}",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FRAME_POSITIONS = ["left", "center", "right", "second from left"]


@dataclass(frozen=True)
class Sizes:
    """How many of each record N articles come with (see the module docstring)."""

    articles: int
    authors: int
    officials: int
    institutions: int
    places: int
    topics: int
    photos: int
    quotes: int

    @classmethod
    def for_articles(cls, articles: int) -> "Sizes":
        root = math.sqrt(articles)
        return cls(
            articles=articles,
            authors=max(4, round(1.25 * root)),
            officials=max(8, round(6.3 * root)),
            institutions=max(4, round(0.63 * root)),
            places=max(3, round(0.6 * root)),
            topics=max(5, round(2.2 * root)),
            photos=max(5, round(0.35 * articles)),
            quotes=max(5, round(0.12 * articles)),
        )

    @property
    def tags(self) -> int:
        return len(SECTIONS) + self.places + self.topics


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _combinations(rng: random.Random, k: int, *parts: Sequence[str]) -> list[list[str]]:
    """k distinct picks of one item from each of `parts`."""
    total = math.prod(len(p) for p in parts)
    if k > total:
        raise ValueError(f"only {total} combinations for {k} names")
    picks = []
    for index in rng.sample(range(total), k):
        chosen = []
        for part in parts:
            index, digit = divmod(index, len(part))
            chosen.append(part[digit])
        picks.append(chosen)
    return picks


def place_names(rng: random.Random, count: int) -> list[str]:
    """The countries first, then made-up towns."""
    # Some made-up names are countries already; draw enough to leave those out.
    made_up = _combinations(rng, count, PLACE_HEADS, PLACE_MIDDLES, PLACE_TAILS)
    towns = [name for name in map("".join, made_up) if name not in COUNTRIES]
    return (COUNTRIES + towns)[:count]


def topic_names(rng: random.Random, count: int) -> list[str]:
    return [
        f"{qualifier}{adjective} {noun}"
        for qualifier, adjective, noun in _combinations(
            rng, count, TOPIC_QUALIFIERS, TOPIC_ADJECTIVES, TOPIC_NOUNS
        )
    ]


def person_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct (name, sort name) pairs."""
    # Middle initials only when first and last names alone run out.
    middles = [""] if count <= len(FIRST_NAMES) * len(LAST_NAMES) else MIDDLE_INITIALS
    return [
        (f"{first} {middle}{last}", f"{last}, {first}{middle and ' ' + middle.strip()}")
        for first, middle, last in _combinations(rng, count, FIRST_NAMES, middles, LAST_NAMES)
    ]


class Skewed(Generic[T]):
    """Draws from a list with weight 1/rank**exponent: a few items often, a long tail rarely."""

    def __init__(self, rng: random.Random, items: Sequence[T], exponent: float) -> None:
        self.rng = rng
        self.items = list(items)
        self.cum_weights = list(accumulate(1 / rank**exponent for rank in range(1, len(items) + 1)))

    def draw(self, k: int) -> list[T]:
        """k distinct items (all of them when there are fewer), in the order drawn."""
        k = min(k, len(self.items))
        picked: dict[int, None] = {}
        while len(picked) < k:
            draws = self.rng.choices(range(len(self.items)), cum_weights=self.cum_weights, k=k)
            picked.update(dict.fromkeys(draws))
        return [self.items[i] for i in list(picked)[:k]]


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in bulk through the table, not the ORM, which costs ten times as much
    per row; returns their new ids in the order given."""
    # SQLModel sets __table__ on every table model but does not declare it to type checkers.
    table: Table = model.__table__  # type: ignore[attr-defined]
    if "id" not in table.c:
        session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


@dataclass
class Newsmaker:
    """An official or institution as articles mention and quote them."""

    id: int
    name: str
    role: str | None
    place: str


@dataclass
class Author:
    id: int
    name: str
    description: str


class Generator:
    """One run: a seeded random stream, consumed in a fixed order, and the ids written so far."""

    def __init__(self, session: Session, sizes: Sizes, seed: int, now: datetime) -> None:
        self.session = session
        self.sizes = sizes
        # Benchmark data, not secrets: a seeded stream is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.anchor = floor_hour(now)
        days = max(30, sizes.articles / ARTICLES_PER_DAY)
        self.start = self.anchor - timedelta(days=days)
        self.span_seconds = int((self.anchor - self.start).total_seconds())

    # Shared vocabulary ---------------------------------------------------------------

    def _audited(self, at: datetime) -> dict[str, Any]:
        return {
            "version": 1,
            "created_at": at,
            "created_by": ACTOR,
            "modified_at": at,
            "modified_by": ACTOR,
        }

    def _moment(self, fraction: float) -> datetime:
        return self.start + timedelta(seconds=int(fraction * self.span_seconds))

    def _sorted_moments(self, count: int) -> list[datetime]:
        return [self._moment(u) for u in sorted(self.rng.random() for _ in range(count))]

    def _fill(self, template: str) -> str:
        rng = self.rng
        official = rng.choice(self.officials)
        return template.format(
            name=official.name,
            role=official.role,
            topic=rng.choice(self.topic_names),
            place=rng.choice(self.places),
            other=rng.choice(self.places),
            number=rng.randint(2, 480),
            year=self.anchor.year - rng.randint(1, 6),
            weekday=rng.choice(WEEKDAYS),
            site=SITE,
            slug=slugify(rng.choice(self.topic_names)),
        )

    # Records ----------------------------------------------------------------------------

    def write_tags(self) -> None:
        rng, sizes = self.rng, self.sizes
        self.places = place_names(rng, sizes.places)
        self.topic_names = topic_names(rng, sizes.topics)
        records = [
            TagCreate(slug=slugify(name), name=name, kind="section", description=None)
            for name in SECTIONS
        ]
        records += [
            TagCreate(slug=slugify(name), name=name, kind="place", description=None)
            for name in self.places
        ]
        records += [
            TagCreate(
                slug=slugify(name),
                name=name[0].upper() + name[1:],
                kind="topic",
                description=f"Reporting and comment on {name}.",
            )
            for name in self.topic_names
        ]
        ids = _insert(
            self.session,
            Tag,
            [{**r.model_dump(mode="json"), **self._audited(self.anchor)} for r in records],
        )
        sections, rest = ids[: len(SECTIONS)], ids[len(SECTIONS) :]
        self.section_ids = sections
        self.place_tags = Skewed(
            rng, list(zip(rest[: len(self.places)], self.places, strict=True)), 1
        )
        self.topic_tags = Skewed(
            rng, list(zip(rest[len(self.places) :], self.topic_names, strict=True)), 1
        )

    def _write_people(self, people: list[PersonCreate]) -> list[int]:
        ids = _insert(
            self.session,
            Person,
            [
                {
                    **p.model_dump(mode="json", exclude={"affiliations"}),
                    **self._audited(self.anchor),
                }
                for p in people
            ],
        )
        affiliations = [
            {"person_id": pid, "position": position, **a.model_dump()}
            for pid, person in zip(ids, people, strict=True)
            for position, a in enumerate(person.affiliations)
        ]
        if affiliations:
            _insert(self.session, Affiliation, affiliations)
        return ids

    def write_people(self) -> None:
        rng, sizes = self.rng, self.sizes
        # Institutions: public bodies and think tanks in the places the news is about.
        kinds = INSTITUTION_KINDS + THINK_TANKS
        institutions = []
        for place, kind in _combinations(rng, sizes.institutions, self.places, kinds):
            full = f"{place} {kind}"
            initials = "".join(w[0] for w in full.split() if w[0].isupper())
            institutions.append((full, initials if kind in THINK_TANKS else None, place))
        institution_records = [
            PersonCreate(
                kind="organization",
                name=full,
                description=f"{'Research institute' if acronym else 'Public body'} in {place}",
                links=[{"label": "Website", "url": f"https://{slugify(full)}.example"}],
            )
            for full, acronym, place in institutions
        ]
        institution_ids = self._write_people(institution_records)
        organizations = list(zip(institution_ids, institutions, strict=True))

        names = person_names(rng, sizes.officials + sizes.authors)
        official_records, official_meta = [], []
        for name, sort_name in names[: sizes.officials]:
            affiliations: list[dict[str, Any]] = []
            place = rng.choice(self.places)
            if rng.random() < 0.5:
                country = rng.choice(COUNTRIES)
                role = f"{rng.choice(PORTFOLIOS)} {rng.choice(OFFICE_ROLES)} of {country}"
                affiliations.append({"role": role, "note": rng.choice(PARTIES)})
                place = country
            else:
                org_id, (full, acronym, place) = rng.choice(organizations)
                title = rng.choice(INSTITUTION_ROLES)
                role = f"{title}, {full}"
                affiliations.append(
                    {
                        "role": title,
                        "organization": acronym or full,
                        "organization_full_name": full if acronym else None,
                        "organization_id": org_id,
                    }
                )
            if rng.random() < 0.4:
                affiliations.append(
                    {
                        "role": "member of Parliament",
                        "is_current": False,
                        "note": rng.choice(PARTIES),
                    }
                )
            official_records.append(
                PersonCreate(
                    kind="person",
                    name=name,
                    sort_name=sort_name,
                    description=role,
                    affiliations=affiliations,
                )
            )
            official_meta.append((name, role, place))
        official_ids = self._write_people(official_records)
        self.officials = [
            Newsmaker(pid, name, role, place)
            for pid, (name, role, place) in zip(official_ids, official_meta, strict=True)
        ]
        newsmakers = self.officials + [
            Newsmaker(pid, full, None, place) for pid, (full, _a, place) in organizations
        ]
        # Newsmakers are mentioned and quoted in proportion to 1/rank: a few every day.
        self.newsmakers = Skewed(rng, newsmakers, 1)
        self.speakers = Skewed(rng, self.officials, 1)

        author_records = []
        staff_flags = []
        for name, sort_name in names[sizes.officials :]:
            is_staff = rng.random() < 0.6
            if is_staff:
                beat = rng.choice(BEATS)
                affiliations = [{"role": beat, "organization": PUBLICATION}]
                if rng.random() < 0.4:
                    affiliations.append(
                        {
                            "role": "reporter",
                            "organization": rng.choice(PROVIDERS),
                            "is_current": False,
                        }
                    )
                description = f"{beat}, {PUBLICATION}"
            else:
                org_id, (full, acronym, _place) = rng.choice(organizations)
                title = rng.choice(INSTITUTION_ROLES)
                affiliations = [
                    {
                        "role": title,
                        "organization": acronym or full,
                        "organization_full_name": full if acronym else None,
                        "organization_id": org_id,
                    }
                ]
                if rng.random() < 0.5:
                    affiliations.append(
                        {
                            "role": f"Professor of {rng.choice(TOPIC_NOUNS)} studies",
                            "organization": f"{rng.choice(self.places)} University",
                        }
                    )
                affiliations.append(
                    {
                        "role": f"{rng.choice(PORTFOLIOS)} Minister of {rng.choice(COUNTRIES)}",
                        "is_current": False,
                        "note": rng.choice(PARTIES),
                    }
                )
                description = f"{title}, {full}"
            author_records.append(
                PersonCreate(
                    kind="person",
                    name=name,
                    sort_name=sort_name,
                    description=description,
                    bio=f"{name} is {description[0].lower()}{description[1:]}. "
                    f"{name.split()[0]} writes about {rng.choice(self.topic_names)}.",
                    links=[{"label": "Author page", "url": f"{SITE}/authors/{slugify(name)}"}],
                    affiliations=affiliations,
                )
            )
            staff_flags.append(is_staff)
        author_ids = self._write_people(author_records)
        authors = [
            Author(pid, record.name, record.description or "")
            for pid, record in zip(author_ids, author_records, strict=True)
        ]
        staff = [a for a, s in zip(authors, staff_flags, strict=True) if s] or authors[:1]
        contributors = [a for a, s in zip(authors, staff_flags, strict=True) if not s] or staff
        # An author's share of the bylines falls as 1/sqrt(rank).
        self.staff = Skewed(rng, staff, 0.5)
        self.contributors = Skewed(rng, contributors, 0.5)
        self.authors = authors

    def write_images(self) -> None:
        rng = self.rng
        headshots = [a for a in self.authors if rng.random() < 0.8]
        records = [
            ImageCreate(
                url=f"{IMAGES}/authors/{slugify(a.name)}.jpg",
                alt_text=f"Portrait of {a.name}",
                caption=a.name,
                credit_line=PUBLICATION,
                provider=PUBLICATION,
                width=800,
                height=800,
                depicted=[{"person_id": a.id, "frame_position": "center"}],
            )
            for a in headshots
        ]
        taken = self._sorted_moments(self.sizes.photos)
        for n, moment in enumerate(taken, start=1):
            subject = rng.choice(PHOTO_SUBJECTS)
            place = rng.choice(self.places)
            width, height = rng.choice(SIZES)
            photographer = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            provider, distributor = rng.choice(PROVIDERS), rng.choice(DISTRIBUTORS)
            kind = rng.random()
            credit: dict[str, Any]
            if kind < 0.35:
                credit = {
                    "credit_line": f"{photographer} for {PUBLICATION}",
                    "photographer": photographer,
                }
            elif kind < 0.75:
                credit = {
                    "credit_line": f"{photographer}, {provider} via {distributor}",
                    "photographer": photographer,
                    "provider": provider,
                    "distributor": distributor,
                }
            elif kind < 0.85:
                credit = {
                    "credit_line": f"{photographer}, {provider}, Pool Photo via {distributor}",
                    "photographer": photographer,
                    "provider": provider,
                    "distributor": distributor,
                    "is_pool": True,
                }
            elif kind < 0.93:
                credit = {
                    "credit_line": f"Handout via {provider}",
                    "provider": provider,
                    "is_handout": True,
                }
            else:
                credit = {
                    "credit_line": f"{photographer}/{provider} (file photo)",
                    "photographer": photographer,
                    "provider": provider,
                    "is_file_photo": True,
                }
            depicted = (
                [
                    {"person_id": p.id, "frame_position": rng.choice(FRAME_POSITIONS)}
                    for p in self.speakers.draw(rng.randint(1, 2))
                ]
                if rng.random() < 0.5
                else []
            )
            records.append(
                ImageCreate(
                    url=f"{IMAGES}/{moment:%Y/%m}/{slugify(subject)}-{n}.jpg",
                    alt_text=f"{subject[0].upper()}{subject[1:]} in {place}",
                    caption=f"A {subject} in {place} on {WEEKDAYS[moment.weekday()]}.",
                    width=width,
                    height=height,
                    taken_on=moment.date(),
                    location=place,
                    depicted=depicted,
                    **credit,
                )
            )
        ids = _insert(
            self.session,
            Image,
            [{**r.model_dump(exclude={"depicted"}), **self._audited(self.anchor)} for r in records],
        )
        depictions = [
            {"image_id": iid, "position": position, **d.model_dump()}
            for iid, record in zip(ids, records, strict=True)
            for position, d in enumerate(record.depicted)
        ]
        if depictions:
            _insert(self.session, ImageDepiction, depictions)
        for author, image_id in zip(headshots, ids, strict=False):
            self.session.execute(
                update(Person).where(col(Person.id) == author.id).values(headshot_image_id=image_id)
            )
        self.photo_ids = ids[len(headshots) :]
        self.image_count = len(ids)

    def write_quotes(self) -> None:
        rng = self.rng
        records = []
        for moment in self._sorted_moments(self.sizes.quotes):
            speaker = self.speakers.draw(1)[0]
            country = rng.choice(COUNTRIES)
            records.append(
                QuoteCreate(
                    text=self._fill(rng.choice(QUOTE_TEXTS)),
                    kind="direct" if rng.random() < 0.8 else "paraphrase",
                    speaker_id=speaker.id,
                    speaker_role=speaker.role,
                    said_on=moment.date(),
                    place=speaker.place,
                    context=rng.choice(CONTEXTS),
                    source_url=f"https://{slugify(country)}-gov.example/news/{moment:%Y-%m-%d}"
                    if rng.random() < 0.5
                    else None,
                )
            )
        self.quote_ids = _insert(
            self.session,
            Quote,
            [{**r.model_dump(), **self._audited(self.anchor)} for r in records],
        )

    # Articles ---------------------------------------------------------------------------

    def _near(self, ids: Sequence[int], fraction: float) -> int:
        """One of the records made in the few days before this moment (they are in time order)."""
        window = max(1, round(3 * len(ids) * ARTICLES_PER_DAY / max(1, self.sizes.articles)))
        return ids[max(0, min(len(ids) - 1, int(fraction * len(ids)) - self.rng.randrange(window)))]

    def _article(self, number: int, fraction: float, published_at: datetime) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        kind = "news" if roll < 0.8 else "opinion" if roll < 0.92 else "analysis"
        writers = self.contributors if kind == "opinion" else self.staff
        byline = writers.draw(rng.choices((1, 2, 3, 4), weights=(75, 20, 3, 2))[0])
        places = self.place_tags.draw(rng.randint(1, 2))
        topics = self.topic_tags.draw(rng.randint(1, 4))
        section = rng.choices(self.section_ids, weights=SECTION_WEIGHTS)[0]
        topic, place = topics[0][1], places[0][1]
        mentioned = self.newsmakers.draw(
            rng.choices(range(7), weights=(10, 20, 25, 20, 12, 8, 5))[0]
        )
        if kind == "opinion":
            headline = rng.choice(OPINION_HEADLINES).format(topic=topic, place=place)
        elif kind == "analysis":
            headline = f"What the {topic} means for {place}"
        else:
            subject = mentioned[0].name if mentioned else f"{place} officials"
            tail = rng.choice(HEADLINE_TAILS)
            headline = f"{subject} {rng.choice(VERBS)} {topic} {tail}".strip()
        headline = headline[0].upper() + headline[1:]

        body: list[dict[str, Any]] = []
        for _ in range(rng.randint(5, 11)):
            html = " ".join(rng.choices(self.sentences, k=rng.randint(3, 6)))
            if rng.random() < 0.15:
                html += rng.choice(self.linked)
            body.append({"type": "paragraph", "html": html})
        if rng.random() < 0.3:
            heading = {"type": "heading", "level": 2, "text": f"The {topic} in {place}"}
            body.insert(len(body) // 2, heading)
        if rng.random() < 0.1:
            attribution = mentioned[0].name if mentioned else None
            pull = {
                "type": "pull_quote",
                "text": rng.choice(self.sentences),
                "attribution": attribution,
            }
            body.insert(rng.randint(1, len(body)), pull)
        if rng.random() < 0.03:
            provider, prefix = rng.choice(EMBEDS)
            embed = {
                "type": "embed",
                "url": f"{prefix}{rng.randrange(10**8)}",
                "provider": provider,
            }
            body.insert(rng.randint(1, len(body)), embed)
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                caption = f"The scene in {place}." if rng.random() < 0.3 else None
                image = {
                    "type": "image",
                    "image_id": self._near(self.photo_ids, fraction),
                    "caption": caption,
                }
                body.insert(rng.randint(1, len(body)), image)
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                quote = {"type": "quote", "quote_id": self._near(self.quote_ids, fraction)}
                body.insert(rng.randint(1, len(body)), quote)

        lead = None
        if rng.random() < 0.7:
            caption = (
                f"{mentioned[0].name} in {place}." if mentioned and rng.random() < 0.25 else None
            )
            lead = {"image_id": self._near(self.photo_ids, fraction), "caption": caption}
        corrected = None
        if rng.random() < 0.08:
            corrected = min(self.anchor, published_at + timedelta(hours=rng.randint(1, 48)))
        return {
            "slug": f"{slugify(headline)[:100].strip('-')}-{number}",
            "type": kind,
            "kicker": rng.choice(KICKERS) if kind == "news" and rng.random() < 0.08 else None,
            "headline": headline,
            "dek": rng.choice(self.sentences) if rng.random() < 0.8 else None,
            "body": body,
            "author_note": f"{byline[0].name} is {byline[0].description}."
            if kind == "opinion"
            else None,
            "author_ids": [a.id for a in byline],
            "lead_image": lead,
            "mentions": [{"person_id": m.id, "role": m.role} for m in mentioned],
            "tag_ids": [section, *(i for i, _ in places), *(i for i, _ in topics)],
            "updated_at": corrected,
        }

    def _write_chunk(self, contents: list[ArticleCreate], moments: list[datetime]) -> list[int]:
        """The rows a create and a publish leave for each article; returns the article ids."""
        dumped = [content_of(c) for c in contents]
        rows = []
        for data, content, at in zip(contents, dumped, moments, strict=True):
            rows.append(
                {
                    **data.model_dump(include=COLUMNS),
                    "body": content["body"],
                    "lead_image_id": data.lead_image.image_id if data.lead_image else None,
                    "lead_image_caption": data.lead_image.caption if data.lead_image else None,
                    "status": ArticleStatus.published,
                    "published_at": at,
                    "published_by": ACTOR,
                    "published_revision": 2,
                    **self._audited(at),
                }
            )
        ids = _insert(self.session, Article, rows)
        links: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        for article_id, data in zip(ids, contents, strict=True):
            for link in _link_rows(article_id, data):
                links[type(link)].append(link.model_dump())
        for model, link_rows in links.items():
            _insert(self.session, model, link_rows)
        revisions = []
        for article_id, content, at in zip(ids, dumped, moments, strict=True):
            common = {
                "article_id": article_id,
                "content": content,
                "created_at": at,
                "created_by": ACTOR,
            }
            # As a first save records it: every field with a value is a change from nothing.
            created = sorted(k for k, v in content.items() if v is not None)
            revisions.append(
                {**common, "number": 1, "action": "created", "changed_fields": created}
            )
            revisions.append({**common, "number": 2, "action": "published", "changed_fields": []})
        _insert(self.session, ArticleRevision, revisions)
        return ids

    def write_articles(self, progress: Progress | None) -> list[tuple[int, datetime]]:
        rng = self.rng
        self.sentences = [self._fill(rng.choice(SENTENCES)) for _ in range(SENTENCE_POOL)]
        self.linked = [self._fill(rng.choice(LINKED)) for _ in range(SENTENCE_POOL // 10)]
        total = self.sizes.articles
        fractions = sorted(rng.random() for _ in range(total))
        published: list[tuple[int, datetime]] = []
        for start in range(0, total, CHUNK):
            chunk = range(start, min(total, start + CHUNK))
            moments = [self._moment(fractions[i]) for i in chunk]
            contents = [
                ArticleCreate.model_validate(self._article(i + 1, fractions[i], moments[i - start]))
                for i in chunk
            ]
            ids = self._write_chunk(contents, moments)
            refresh_articles(self.session, ids)
            # The documents are flushed; dropping them keeps memory flat for any count.
            self.session.expunge_all()
            published += zip(ids, moments, strict=True)
            if progress is not None:
                progress(len(published), total)
        return published

    # Views ------------------------------------------------------------------------------

    def write_views(self, published: list[tuple[int, datetime]]) -> int:
        """Hourly counts: new articles read most in their first hours, a few old ones still read."""
        rng = self.rng
        counts: Counter[BucketKey] = Counter()
        recent_since = self.anchor - timedelta(days=30)
        older = [article_id for article_id, at in published if at < recent_since]
        for article_id, at in published:
            if at < recent_since:
                continue
            appeal = 20 * rng.paretovariate(1.3)
            first = floor_hour(at)
            for hour in range(72):
                bucket = first + timedelta(hours=hour)
                views = int(appeal * math.exp(-hour / 12))
                if bucket > self.anchor or views == 0:
                    break
                counts[(article_id, bucket)] += views
        pool = older or [article_id for article_id, _ in published]
        for article_id in rng.sample(pool, min(len(pool), max(3, len(published) // 100))):
            appeal = 3 * rng.paretovariate(1.5)
            for hour in range(48):
                counts[(article_id, self.anchor - timedelta(hours=hour))] += 1 + int(
                    appeal * rng.random()
                )
        add_views(self.session, counts)
        return sum(counts.values())


def _refuse_unless_empty(session: Session) -> None:
    # Adding to a newsroom would clash on slugs and could not be reproduced from a seed.
    for model in (Article, Person, Tag, Image, Quote):
        table: Any = model
        if session.exec(select(table.id).limit(1)).first() is not None:
            raise Conflict(
                f"The database already holds {table.__tablename__}; bench-data fills an empty "
                "newsroom. Create a new database, run `byline migrate` on it and try again."
            )


@dataclass(frozen=True)
class Generated:
    sizes: Sizes
    images: int
    views: int


def generate(
    session: Session,
    *,
    articles: int,
    now: datetime,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> Generated:
    """Fill an empty, migrated database with `articles` published articles and their world."""
    if not 1 <= articles <= MAX_ARTICLES:
        raise ValueError(f"articles must be from 1 to {MAX_ARTICLES}")
    _refuse_unless_empty(session)
    sizes = Sizes.for_articles(articles)
    generator = Generator(session, sizes, seed, now)
    generator.write_tags()
    generator.write_people()
    generator.write_images()
    generator.write_quotes()
    published = generator.write_articles(progress)
    views = generator.write_views(published)
    return Generated(sizes, generator.image_count, views)
