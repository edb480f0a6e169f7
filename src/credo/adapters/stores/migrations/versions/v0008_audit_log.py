"""The audit log (SPEC §9): the leaves of the ledger's Merkle tree, in ledger order, and the
signed tree heads written with each batch that grows it.

A ledger kept before this has no leaves yet: the store's `migrate()` appends one for each of
its packs, records and entries (in that order, each by its sequence) and signs the first head.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import UtcDateTime, key_type

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_leaves",
        sa.Column("leaf_index", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref", key_type(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("kind", "ref", name="uq_audit_leaves_ref"),
    )
    op.create_table(
        "tree_heads",
        sa.Column("tree_size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("timestamp", UtcDateTime, nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tree_heads")
    op.drop_table("audit_leaves")
