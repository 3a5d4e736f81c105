"""Closed vocabularies shared by tables and API schemas."""

from enum import StrEnum


class ArticleType(StrEnum):
    news = "news"
    opinion = "opinion"
    analysis = "analysis"


class ArticleStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class EditorialStatus(StrEnum):
    """What an editor sees: a published article with a future time reads as scheduled."""

    draft = "draft"
    scheduled = "scheduled"
    published = "published"
    archived = "archived"


class PersonKind(StrEnum):
    person = "person"
    organization = "organization"


class QuoteKind(StrEnum):
    direct = "direct"
    paraphrase = "paraphrase"


class TagKind(StrEnum):
    topic = "topic"
    section = "section"
    place = "place"


# What readers see above the headline when the editor sets no kicker.
DEFAULT_KICKERS: dict[ArticleType, str | None] = {
    ArticleType.news: None,
    ArticleType.opinion: "Op-ed",
    ArticleType.analysis: "Analysis",
}
