"""page views

Revision ID: 89e67a78b06f
Revises: d4235cda18f2
Create Date: 2026-11-25 15:50:05.589434
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "89e67a78b06f"
down_revision: str | None = "d4235cda18f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "view_buckets",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("granularity", sa.String(length=4), nullable=False),
        sa.Column("bucket_start", sa.DateTime(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_view_buckets_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "granularity", "bucket_start", name=op.f("pk_view_buckets")
        ),
    )
    with op.batch_alter_table("view_buckets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_view_buckets_bucket_start_article_id_views"),
            ["bucket_start", "article_id", "views"],
            unique=False,
        )

    op.create_table(
        "view_visitors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("visitor_hash", sa.String(length=64), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_view_visitors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "visitor_hash", name=op.f("pk_view_visitors")),
    )
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_view_visitors_counted_at"), ["counted_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_visitors_counted_at"))

    op.drop_table("view_visitors")
    with op.batch_alter_table("view_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_buckets_bucket_start_article_id_views"))

    op.drop_table("view_buckets")
