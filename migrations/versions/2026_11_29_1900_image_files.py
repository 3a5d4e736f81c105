"""image files: uploads, focal points, optional url and credit

Revision ID: 7d2e4b91c0a3
Revises: 5c1f0e7a9b2d
Create Date: 2026-11-29 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e4b91c0a3"
down_revision: str | None = "5c1f0e7a9b2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.alter_column("url", existing_type=sa.String(length=2048), nullable=True)
        batch_op.alter_column("credit_line", existing_type=sa.String(length=500), nullable=True)
        batch_op.add_column(sa.Column("focal_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("focal_y", sa.Float(), nullable=True))
    op.create_table(
        "image_files",
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("orientation", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("placeholder", sa.String(length=100), nullable=False),
        sa.Column("dominant_color", sa.String(length=7), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_image_files_image_id_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("image_id", name=op.f("pk_image_files")),
    )


def downgrade() -> None:
    op.drop_table("image_files")
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_column("focal_y")
        batch_op.drop_column("focal_x")
        batch_op.alter_column("credit_line", existing_type=sa.String(length=500), nullable=False)
        batch_op.alter_column("url", existing_type=sa.String(length=2048), nullable=False)
