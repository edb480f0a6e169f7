"""Each record's verdict beside it (the judged ledger `credo recompute` folds), and the rulebook
they were judged by. A ledger kept before this has no verdicts yet: its rulebook key is left
unknown, so the next recompute judges it once and keeps them.

Revision ID: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import SEQ, key_type

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "verdicts",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=False),
        sa.Column("pack", key_type(), nullable=True),
        sa.Column("rule", sa.Integer(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("later", sa.Text(), nullable=True),
        sa.Column("lists", sa.Text(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("overturned", sa.Boolean(), nullable=False),
        sa.Column("disputed", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "verdicts_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rulebook_key", sa.String(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("verdicts_state")
    op.drop_table("verdicts")
