"""Administrators' acts as ledger entries (SPEC §9: every entry is a leaf of the log): keys
made and revoked, sign-in links, signing key rotations, each with its actor; and who adopted
each pack from now on.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import DATA, SEQ, UtcDateTime, key_type

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "admin_entries",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("subject_id", key_type()),
        sa.Column("data", DATA, nullable=False),
    )
    op.create_index("ix_admin_entries_subject", "admin_entries", ["subject_id", "seq"])
    op.add_column("packs", sa.Column("adopted_by", sa.String()))


def downgrade() -> None:
    op.drop_column("packs", "adopted_by")
    op.drop_index("ix_admin_entries_subject", "admin_entries")
    op.drop_table("admin_entries")
