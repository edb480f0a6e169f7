"""Due process: entries found by kind (objection queue, notice outbox), the feed of decision
changes, each notifier's position in the outbox, and the ledger size a stored score was judged on.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The queries' definitions of these tables live in `feeds.py`; loading it puts them in the
# metadata that the schema is compared against.
from credo.adapters.stores import feeds  # noqa: F401
from credo.adapters.stores.sql.tables import SEQ, UtcDateTime, key_type

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_entries_kind", "entries", ["kind", "seq"])
    # A score stored in real time says how large a ledger it was judged on, so a slower
    # request cannot store an older score over a newer one.
    op.add_column("scores", sa.Column("ledger_size", sa.BigInteger))
    # The review queue looks for a decision naming each open objection.
    named = (
        "(data ->> 'objection_id')"
        if op.get_bind().dialect.name == "postgresql"
        else "json_extract(data, '$.objection_id')"
    )
    op.execute(f"CREATE INDEX ix_entries_objection ON entries (kind, {named})")
    op.create_table(
        "decision_changes",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("subject_id", key_type(), nullable=False),
        sa.Column("context", sa.String(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("recheck_on", sa.Date),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_index(
        "ix_decision_changes_subject", "decision_changes", ["subject_id", "context", "seq"]
    )
    op.create_index("ix_decision_changes_context", "decision_changes", ["context", "seq"])
    op.create_table(
        "outbox_cursors",
        sa.Column("channel", key_type(), primary_key=True),
        sa.Column("delivered_seq", SEQ, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("outbox_cursors")
    op.drop_table("decision_changes")
    op.execute("DROP INDEX ix_entries_objection")
    op.drop_column("scores", "ledger_size")
    op.drop_index("ix_entries_kind", "entries")
