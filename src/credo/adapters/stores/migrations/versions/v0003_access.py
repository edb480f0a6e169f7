"""API keys (only a hash of each token) and the log of every check answered.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The queries' definitions of these tables live in `access.py`; loading it puts them in the
# metadata that the schema is compared against, as loading the ledger's tables does.
from credo.adapters.stores import access  # noqa: F401
from credo.adapters.stores.sql.tables import SEQ, UtcDateTime, key_type

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", key_type(), primary_key=True),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("principal", key_type(), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("rate", sa.Float),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.UniqueConstraint("digest", name="uq_api_keys_digest"),
    )
    op.create_table(
        "checks",
        sa.Column("seq", SEQ, sa.Identity(), primary_key=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("consumer", key_type(), nullable=False),
        sa.Column("key_id", key_type(), nullable=False),
        sa.Column("subject_id", key_type(), nullable=False),
        sa.Column("context", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
    )
    op.create_index("ix_checks_subject", "checks", ["subject_id", "seq"])


def downgrade() -> None:
    op.drop_table("checks")
    op.drop_table("api_keys")
