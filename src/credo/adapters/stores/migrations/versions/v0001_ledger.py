"""The append-only ledger: packs, subjects, records and the entries that refer to records.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import DATA, SEQ, UtcDateTime, key_type

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "packs",
        sa.Column("pack_id", key_type(), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("checksum", sa.String(), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("adopted_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "subjects",
        sa.Column("id", key_type(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("first_seen", UtcDateTime, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("record_id", key_type(), nullable=False),
        sa.Column("source", key_type(), nullable=False),
        sa.Column("source_ref", key_type(), nullable=False),
        sa.Column("subject_id", key_type(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("occurred_at", sa.Date, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("evidence_uri", sa.Text),
        sa.Column("evidence_sha256", sa.String()),
        sa.Column("case_ref", sa.String()),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("record_id", name="uq_records_record_id"),
        sa.UniqueConstraint("source", "source_ref", name="uq_records_source_ref"),
    )
    op.create_index("ix_records_subject", "records", ["subject_id", "occurred_at"])
    op.create_table(
        "entries",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("record_id", key_type(), sa.ForeignKey("records.record_id"), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("data", DATA, nullable=False),
    )
    op.create_index("ix_entries_record", "entries", ["record_id"])


def downgrade() -> None:
    raise NotImplementedError("the ledger is append-only: its schema is never rolled back")
