"""Materialised scores: what the population engine (and real-time updates) last computed.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import SEQ, UtcDateTime, key_type

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "score_runs",
        sa.Column("run_id", SEQ, sa.Identity(), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("engine", sa.String(), nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("subjects", sa.BigInteger, nullable=False),
        sa.Column("records", sa.BigInteger, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "scores",
        sa.Column("subject_id", key_type(), primary_key=True),
        sa.Column("pack_id", key_type(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("checksum", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("tier", sa.String(), nullable=False),
        sa.Column("lists", sa.Text, nullable=False),
        sa.Column("valid_until", sa.Date),
        sa.Column("run_id", SEQ),
        sa.Column("computed_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scores")
    op.drop_table("score_runs")
