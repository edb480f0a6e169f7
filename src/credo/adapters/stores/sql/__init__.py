"""The ledger on SQLAlchemy Core (`ledger`, `tables`, `scores`, `audit`) and its two databases,
SQLite and PostgreSQL."""
