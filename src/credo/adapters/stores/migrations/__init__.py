"""The ledger schema, as Alembic migrations run by `migrate()`."""
