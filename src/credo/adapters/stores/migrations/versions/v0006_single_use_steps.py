"""Single-use steps: a record is withdrawn once, an objection id is filed once, an objection is
decided once. Each such entry claims its step in `single_use_steps` in the transaction that
writes it, and the primary key refuses a second claim however many requests race.

A ledger kept before this may already hold a step taken twice (the race this closes): the
first entry in ledger order is the one that claims it, and no entry is rewritten or removed.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credo.adapters.stores.sql.tables import SEQ, key_type

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "single_use_steps",
        sa.Column("step", key_type(), primary_key=True),
        sa.Column("seq", SEQ, sa.ForeignKey("entries.seq"), nullable=False),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    named = "(data ->> 'objection_id')" if postgresql else "json_extract(data, '$.objection_id')"
    # Spelt as `credo.domain.ledger.entries.single_use_step` spells them.
    for kind, key in (("withdrawal", "record_id"), ("objection", named), ("decision", named)):
        op.execute(
            "INSERT INTO single_use_steps (step, seq) "
            f"SELECT '{kind} ' || {key}, min(seq) FROM entries WHERE kind = '{kind}' "
            f"GROUP BY {key}"
        )


def downgrade() -> None:
    op.drop_table("single_use_steps")
