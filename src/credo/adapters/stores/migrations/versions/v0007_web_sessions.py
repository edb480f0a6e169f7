"""Web sessions and one-time sign-in codes for the portal (SPEC §8), kept as digests.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The queries' definitions of these tables live in `sessions.py`; loading it puts them in the
# metadata that the schema is compared against.
from credo.adapters.stores import sessions  # noqa: F401
from credo.adapters.stores.sql.tables import UtcDateTime, key_type

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("digest", key_type(), primary_key=True),
        sa.Column("key_digest", key_type(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime),
    )
    op.create_index("ix_web_sessions_key", "web_sessions", ["key_digest"])
    op.create_table(
        "login_codes",
        sa.Column("digest", key_type(), primary_key=True),
        sa.Column("key_digest", key_type(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
    )


def downgrade() -> None:
    op.drop_table("login_codes")
    op.drop_index("ix_web_sessions_key", "web_sessions")
    op.drop_table("web_sessions")
