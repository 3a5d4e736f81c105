"""article web fields: search and social fields, canonical URL, corrections

Revision ID: c1a2b3d4e5f6
Revises: 7d2e4b91c0a3
Create Date: 2026-11-29 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1a2b3d4e5f6"
down_revision: str | None = "7d2e4b91c0a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seo_headline", sa.String(length=110), nullable=True))
        batch_op.add_column(sa.Column("seo_description", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("social_headline", sa.String(length=110), nullable=True))
        batch_op.add_column(sa.Column("social_description", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("social_image_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("canonical_url", sa.String(length=2048), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_social_image_id_images"),
            "images",
            ["social_image_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.create_table(
        "article_corrections",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("correction", "update", name="correctionkind", native_enum=False),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("noted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_corrections_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_corrections")),
    )
    op.create_index(op.f("ix_article_corrections_noted_at"), "article_corrections", ["noted_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_article_corrections_noted_at"), table_name="article_corrections")
    op.drop_table("article_corrections")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_social_image_id_images"), type_="foreignkey"
        )
        batch_op.drop_column("canonical_url")
        batch_op.drop_column("social_image_id")
        batch_op.drop_column("social_description")
        batch_op.drop_column("social_headline")
        batch_op.drop_column("seo_description")
        batch_op.drop_column("seo_headline")
