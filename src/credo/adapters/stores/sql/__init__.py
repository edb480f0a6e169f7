"""The ledger on SQLAlchemy Core and its two databases, SQLite and PostgreSQL: `base` (the
engine, transactions, the dialects' hooks), `ledger` (schema, packs, records, the log's reads),
`entries`, `scores`, `audit` (the log's SQL), `tables` and their `rows`."""
