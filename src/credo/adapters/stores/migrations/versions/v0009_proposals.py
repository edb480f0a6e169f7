"""Proposed pack versions, each with the simulation report it was published with.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import UtcDateTime, key_type

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("proposal_id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("pack_id", key_type(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("checksum", sa.String(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("proposed_at", UtcDateTime, nullable=False),
        sa.Column("adopted_at", UtcDateTime, nullable=True),
    )
    op.create_index("ix_proposals_version", "proposals", ["pack_id", "version"])


def downgrade() -> None:
    op.drop_index("ix_proposals_version", table_name="proposals")
    op.drop_table("proposals")
