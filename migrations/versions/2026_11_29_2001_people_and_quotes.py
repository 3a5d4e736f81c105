"""people and quotes: written bio lines, quote dates with precision, venue, speaker labels

Revision ID: d2b3c4d5e6f7
Revises: c1a2b3d4e5f6
Create Date: 2026-11-29 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2b3c4d5e6f7"
down_revision: str | None = "c1a2b3d4e5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bio_line", sa.String(length=500), nullable=True))
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.alter_column("speaker_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("said_on", existing_type=sa.Date(), nullable=True)
        batch_op.add_column(sa.Column("speaker_label", sa.String(length=200), nullable=True))
        # Every existing quote has its day.
        batch_op.add_column(
            sa.Column(
                "said_on_precision",
                sa.Enum(
                    "day",
                    "month",
                    "year",
                    "unknown",
                    name="dateprecision",
                    native_enum=False,
                    create_constraint=False,
                ),
                server_default="day",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("venue", sa.String(length=500), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_quotes_speaker"), "speaker_id IS NOT NULL OR speaker_label IS NOT NULL"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_quotes_said_on_precision"),
            "(said_on IS NULL) = (said_on_precision = 'unknown')",
        )


def downgrade() -> None:
    # Quotes that cannot go back (undated, or with no person) stop the downgrade at the
    # NOT NULL columns rather than losing data silently.
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quotes_said_on_precision"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_quotes_speaker"), type_="check")
        batch_op.drop_column("venue")
        batch_op.drop_column("said_on_precision")
        batch_op.drop_column("speaker_label")
        batch_op.alter_column("said_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("speaker_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("bio_line")
