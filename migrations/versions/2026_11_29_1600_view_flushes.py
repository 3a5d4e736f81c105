"""view flushes

Revision ID: 5c1f0e7a9b2d
Revises: 89e67a78b06f
Create Date: 2026-11-29 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1f0e7a9b2d"
down_revision: str | None = "89e67a78b06f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "view_flushes",
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("flushed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("batch", name=op.f("pk_view_flushes")),
    )
    with op.batch_alter_table("view_flushes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_view_flushes_flushed_at"), ["flushed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("view_flushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_flushes_flushed_at"))
    op.drop_table("view_flushes")
