"""The ledger on SQLAlchemy Core (`ledger`; its `tables`, their `rows`, `scores`, `audit`) and its
two databases, SQLite and PostgreSQL."""
