"""An article's page on the publisher's site, from WEB_URL_TEMPLATE.

Documents are stored, so the template is baked into them when they are rendered,
as rendition URLs are (see app.documents.images.session_info).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.config import Settings


@dataclass(frozen=True, slots=True)
class WebLinks:
    """The template of article pages; None: documents carry no web link."""

    template: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "WebLinks":
        return cls(template=settings.web_url_template)

    def page(
        self,
        *,
        article_id: int,
        slug: str,
        article_type: str,
        section: str,
        published_at: datetime,
    ) -> str | None:
        if self.template is None:
            return None
        day = published_at.astimezone(UTC)
        return self.template.format(
            slug=slug,
            id=article_id,
            type=article_type,
            section=section,
            year=f"{day.year:04d}",
            month=f"{day.month:02d}",
            day=f"{day.day:02d}",
        )


NO_WEB_LINKS = WebLinks()
