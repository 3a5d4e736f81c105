"""Loading the bundled demo newsroom. Records in the file refer to each other by key."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.articles.publishing import publish
from app.articles.writes import write_article
from app.config import Settings
from app.demo.pictures import Picture, draw, pictures
from app.documents.articles import ArticleCreate
from app.images.schemas import ImageCreate
from app.images.service import write_image
from app.images.staging import StagedFile, staging_file
from app.images.upload import store_file
from app.media.probe import UploadLimits, probe
from app.media.storage import Storage
from app.models import Article, Person
from app.models.base import utcnow
from app.people.schemas import PersonCreate
from app.people.service import write_person
from app.quotes.schemas import QuoteCreate
from app.quotes.service import write_quote
from app.tags.schemas import TagCreate
from app.tags.service import write_tag

ACTOR = "demo loader"


@dataclass(frozen=True, slots=True)
class ImageFiles:
    """Where the demo's drawn pictures go, as an upload's file would."""

    media: Storage
    limits: UploadLimits
    staging_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings, media: Storage) -> "ImageFiles":
        return cls(media, UploadLimits.from_settings(settings), settings.image_staging_dir)

    def attach(self, session: Session, image_id: int, picture: Picture) -> None:
        """Draw the picture and make it the image's file, through the upload's own steps."""
        data = draw(picture)
        with staging_file(self.staging_dir) as path:
            path.write_bytes(data)
            staged = StagedFile(
                path=path,
                sha256=hashlib.sha256(data).hexdigest(),
                bytes=len(data),
                declared_type="image/jpeg",
                original_name=f"{picture.key}.jpg",
            )
            probed = probe(path, self.limits, declared_type=staged.declared_type)
            store_file(
                session, image_id, staged, probed, media=self.media, actor=ACTOR, now=utcnow()
            )


def demo_content() -> dict[str, list[dict[str, Any]]]:
    text = resources.files("app.demo").joinpath("content.json").read_text(encoding="utf-8")
    content: dict[str, list[dict[str, Any]]] = json.loads(text)
    return content


def _without_key(record: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in {"key", *drop}}


def _article(record: dict[str, Any], ids: dict[str, int]) -> ArticleCreate:
    lead = record.get("lead_image")
    body = []
    for block in record["body"]:
        block = dict(block)
        if block["type"] == "image":
            block["image_id"] = ids[block.pop("image")]
        elif block["type"] == "quote":
            block["quote_id"] = ids[block.pop("quote")]
        body.append(block)
    return ArticleCreate.model_validate(
        {
            **_without_key(
                record, "authors", "lead_image", "people", "tags", "body", "status", "published_at"
            ),
            "author_ids": [ids[k] for k in record["authors"]],
            "lead_image": {"image_id": ids[lead["image"]], "caption": lead["caption"]}
            if lead
            else None,
            "mentions": [
                {"person_id": ids[m["person"]], "role": m["role"]} for m in record["people"]
            ],
            "tag_ids": [ids[k] for k in record["tags"]],
            "body": body,
        }
    )


def load_demo(session: Session, files: ImageFiles | None = None) -> bool:
    """Load the demo once; returns False when it is already there. With `files`, every
    image gets a drawn picture as its file, before any article that shows it is
    published."""
    content = demo_content()
    slugs = [a["slug"] for a in content["articles"]]
    if session.exec(select(Article.id).where(col(Article.slug).in_(slugs))).first():
        return False
    ids: dict[str, int] = {}

    def remember(key: str, ident: int | None) -> None:
        assert ident is not None
        ids[key] = ident

    for record in content["tags"]:
        remember(
            record["key"], write_tag(session, None, TagCreate(**_without_key(record)), ACTOR).id
        )
    # Organizations first, so affiliations can point at them.
    for record in sorted(content["people"], key=lambda r: r["kind"] != "organization"):
        data = _without_key(record, "headshot", "affiliations")
        data["affiliations"] = [
            {
                **_without_key(a, "organization_key"),
                "organization_id": ids.get(a["organization_key"] or ""),
            }
            for a in record["affiliations"]
        ]
        remember(record["key"], write_person(session, None, PersonCreate(**data), ACTOR).id)
    for record, picture in zip(content["images"], pictures(content), strict=True):
        data = _without_key(record, "depicted")
        data["depicted"] = [
            {"person_id": ids[d["person"]], "frame_position": d["position"]}
            for d in record["depicted"]
        ]
        remember(record["key"], write_image(session, None, ImageCreate(**data), ACTOR).id)
        if files is not None:
            files.attach(session, ids[record["key"]], picture)
    for record in content["people"]:
        if record["headshot"]:
            person = session.get_one(Person, ids[record["key"]])
            person.headshot_image_id = ids[record["headshot"]]
            session.add(person)
    session.flush()
    for record in content["quotes"]:
        data = _without_key(record, "speaker")
        data["speaker_id"] = ids[record["speaker"]]
        remember(record["key"], write_quote(session, None, QuoteCreate(**data), ACTOR).id)
    for record in content["articles"]:
        article = write_article(session, None, _article(record, ids), ACTOR)
        if record["status"] == "published":
            published_at = datetime.fromisoformat(record["published_at"])
            publish(session, article, publish_at=published_at, now=utcnow(), actor=ACTOR)
    return True
