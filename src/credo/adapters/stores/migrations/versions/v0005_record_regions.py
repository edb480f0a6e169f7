"""Each record keeps the region its subject was in when the act occurred (SPEC §1, since
2026-12: subjects move, and a record is judged by the pack of its own region).

Records kept before this have no region of their own (NULL): the subject's first region, which
was then every record's, is read in its place. No row is rewritten.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("records", sa.Column("region", sa.String()))


def downgrade() -> None:
    op.drop_column("records", "region")
