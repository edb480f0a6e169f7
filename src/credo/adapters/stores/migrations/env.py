"""Alembic's entry point. The store hands over a connection in an open transaction; nothing here
reads a configuration file or builds an engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from credo.adapters.stores.sql.tables import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("credo runs its migrations only through the store's migrate()")
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


run()
