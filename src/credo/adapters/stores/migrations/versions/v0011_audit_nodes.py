"""The audit log's stored subtrees: the roots of the perfect subtrees on every fourth level
above the leaves (`merkle.STRIDE`), so an inclusion or consistency proof reads O(log n) rows
rather than every leaf hash. A log kept before this has its subtrees computed here, once, from
its leaves.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import audit_leaves, audit_nodes
from credo.domain.audit.merkle import Frontier

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

_CHUNK = 100_000


def upgrade() -> None:
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
    )
    conn = op.get_bind()
    frontier = Frontier()
    while True:
        query = (
            sa.select(audit_leaves.c.leaf_hash)
            .where(audit_leaves.c.leaf_index >= frontier.size)
            .order_by(audit_leaves.c.leaf_index)
            .limit(_CHUNK)
        )
        hashes = [bytes(h) for h in conn.execute(query).scalars()]
        if not hashes:
            break
        kept = frontier.extend(hashes)
        if kept:
            rows = [{"level": level, "position": pos, "hash": h} for level, pos, h in kept]
            conn.execute(audit_nodes.insert(), rows)


def downgrade() -> None:
    op.drop_table("audit_nodes")
