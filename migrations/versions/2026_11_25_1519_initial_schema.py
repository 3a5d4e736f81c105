"""initial schema

Revision ID: d4235cda18f2
Revises:
Create Date: 2026-11-25 15:19:32.760878
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d4235cda18f2"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "images",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("alt_text", sa.String(length=1000), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("credit_line", sa.String(length=500), nullable=False),
        sa.Column("photographer", sa.String(length=200), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("distributor", sa.String(length=200), nullable=True),
        sa.Column("is_pool", sa.Boolean(), nullable=False),
        sa.Column("is_file_photo", sa.Boolean(), nullable=False),
        sa.Column("is_handout", sa.Boolean(), nullable=False),
        sa.Column("screenshot_source", sa.String(length=200), nullable=True),
        sa.Column("usage_terms", sa.String(length=1000), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("taken_on", sa.Date(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
    )
    op.create_table(
        "tags",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("topic", "section", "place", name="tagkind", native_enum=False),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name=op.f("uq_tags_slug")),
    )
    op.create_table(
        "articles",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column(
            "type",
            sa.Enum("news", "opinion", "analysis", name="articletype", native_enum=False),
            nullable=False,
        ),
        sa.Column("kicker", sa.String(length=80), nullable=True),
        sa.Column("headline", sa.String(length=500), nullable=False),
        sa.Column("dek", sa.String(length=500), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("author_note", sa.Text(), nullable=True),
        sa.Column("lead_image_id", sa.Integer(), nullable=True),
        sa.Column("lead_image_caption", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "archived", name="articlestatus", native_enum=False),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("published_revision", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_image_id"],
            ["images.id"],
            name=op.f("fk_articles_lead_image_id_images"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_idempotency_records_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_idempotency_records_token_id_key")),
    )
    op.create_table(
        "people",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("person", "organization", name="personkind", native_enum=False),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("headshot_image_id", sa.Integer(), nullable=True),
        sa.Column(
            "links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["headshot_image_id"],
            ["images.id"],
            name=op.f("fk_people_headshot_image_id_images"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "affiliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("organization_full_name", sa.String(length=500), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["people.id"],
            name=op.f("fk_affiliations_organization_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_affiliations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliations")),
        sa.UniqueConstraint(
            "person_id", "position", name=op.f("uq_affiliations_person_id_position")
        ),
    )
    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_article_authors_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("article_id", "person_id", name=op.f("pk_article_authors")),
    )
    op.create_table(
        "article_images",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_images_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_article_images_image_id_images"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_images")),
    )
    with op.batch_alter_table("article_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_images_image_id"), ["image_id"], unique=False)

    op.create_table(
        "article_mentions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_mentions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_article_mentions_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("article_id", "person_id", name=op.f("pk_article_mentions")),
    )
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "changed_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
        sa.UniqueConstraint(
            "article_id", "number", name=op.f("uq_article_revisions_article_id_number")
        ),
    )
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_revisions_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_slug_redirects",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_slug_redirects_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_article_slug_redirects")),
    )
    with op.batch_alter_table("article_slug_redirects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_slug_redirects_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
    )
    op.create_table(
        "image_depictions",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("frame_position", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_image_depictions_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_image_depictions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("image_id", "person_id", name=op.f("pk_image_depictions")),
    )
    op.create_table(
        "published_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("surrogate_keys", sa.Text(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_published_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_published_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_published_articles_slug")),
    )
    with op.batch_alter_table("published_articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_articles_published_at_article_id"),
            ["published_at", "article_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_published_articles_type_published_at_article_id"),
            ["type", "published_at", "article_id"],
            unique=False,
        )

    op.create_table(
        "quotes",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("direct", "paraphrase", name="quotekind", native_enum=False),
            nullable=False,
        ),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("speaker_role", sa.String(length=200), nullable=True),
        sa.Column("said_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("context", sa.String(length=500), nullable=True),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["people.id"],
            name=op.f("fk_quotes_speaker_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotes_said_on_id"), ["said_on", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_quotes_speaker_id_said_on_id"),
            ["speaker_id", "said_on", "id"],
            unique=False,
        )

    op.create_table(
        "article_quotes",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_quotes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_article_quotes_quote_id_quotes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("article_id", "quote_id", name=op.f("pk_article_quotes")),
    )
    op.create_table(
        "published_article_refs",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("ref_kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["published_articles.article_id"],
            name=op.f("fk_published_article_refs_article_id_published_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "ref_kind", "ref_id", name=op.f("pk_published_article_refs")
        ),
    )
    with op.batch_alter_table("published_article_refs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_article_refs_ref_kind_ref_id_published_at_article_id"),
            ["ref_kind", "ref_id", "published_at", "article_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("published_article_refs", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_published_article_refs_ref_kind_ref_id_published_at_article_id")
        )

    op.drop_table("published_article_refs")
    op.drop_table("article_quotes")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_speaker_id_said_on_id"))
        batch_op.drop_index(batch_op.f("ix_quotes_said_on_id"))

    op.drop_table("quotes")
    with op.batch_alter_table("published_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_articles_type_published_at_article_id"))
        batch_op.drop_index(batch_op.f("ix_published_articles_published_at_article_id"))

    op.drop_table("published_articles")
    op.drop_table("image_depictions")
    op.drop_table("article_tags")
    with op.batch_alter_table("article_slug_redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_slug_redirects_article_id"))

    op.drop_table("article_slug_redirects")
    with op.batch_alter_table("article_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_revisions_article_id"))

    op.drop_table("article_revisions")
    op.drop_table("article_mentions")
    with op.batch_alter_table("article_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_images_image_id"))

    op.drop_table("article_images")
    op.drop_table("article_authors")
    op.drop_table("affiliations")
    op.drop_table("people")
    op.drop_table("idempotency_records")
    op.drop_table("articles")
    op.drop_table("tags")
    op.drop_table("images")
    op.drop_table("api_tokens")
