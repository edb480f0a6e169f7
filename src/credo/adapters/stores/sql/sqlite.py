"""The ledger in one SQLite file: WAL, full fsync on commit, foreign keys, one writer at a time."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import ColumnElement, create_engine, event, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import Insert

from credo.adapters.stores.sql.ledger import SqlLedgerStore
from credo.adapters.stores.sql.rows import ROW_WIDTH, RecordRow, driver_rows
from credo.adapters.stores.sql.tables import records, scores, subjects, utc_text, verdicts
from credo.domain.audit.tree_heads import HeadSigner
from credo.domain.scoring.verdicts import VERDICT_KEPT, VerdictRow

if TYPE_CHECKING:
    import pyarrow as pa

_BUSY_MS = 30_000
_CACHE_KIB = 64 * 1024  # the default 2 MiB stops holding the key indexes early in a bulk load
_COLUMNS = [c.name for c in records.columns if c.name != "seq"]
# Positional, in the order of the `records` columns: a row is `RecordRow[:12] + (recorded_at,)`.
_INSERT_RECORDS = str(
    sqlite.insert(records)
    .on_conflict_do_nothing()
    .compile(dialect=sqlite.dialect(paramstyle="qmark"), column_keys=_COLUMNS)
)
_INSERT_SUBJECTS = str(
    sqlite.insert(subjects)
    .on_conflict_do_nothing()
    .compile(
        dialect=sqlite.dialect(paramstyle="qmark"),
        column_keys=["id", "kind", "region", "first_seen"],
    )
)

_INSERT_VERDICTS = str(
    sqlite.insert(verdicts).compile(
        dialect=sqlite.dialect(paramstyle="qmark"), column_keys=["seq", *VERDICT_KEPT]
    )
)
_EXPIRES = 1 + VERDICT_KEPT.index("expires_on")


def _verdict_values(row: VerdictRow) -> VerdictRow:
    """A row of `seq` and what is kept of a verdict, as SQLAlchemy writes it on SQLite: its
    date as ISO text (booleans go in as integers)."""
    expires = row[_EXPIRES]
    if expires is None:
        return row
    return (*row[:_EXPIRES], expires.isoformat(), *row[_EXPIRES + 1 :])


_SCORE_COLUMNS = [c.name for c in scores.columns]
_INSERT_SCORES = str(
    sqlite.insert(scores).compile(
        dialect=sqlite.dialect(paramstyle="qmark"), column_keys=_SCORE_COLUMNS
    )
)


def _score_values(row: dict[str, Any]) -> tuple[Any, ...]:
    """A score's row as SQLAlchemy writes it on SQLite: dates and the instant as ISO text."""
    until = row["valid_until"]
    written = {
        **row,
        "as_of": row["as_of"].isoformat(),
        "valid_until": until.isoformat() if until is not None else None,
        "computed_at": utc_text(row["computed_at"]),
    }
    return tuple(written[c] for c in _SCORE_COLUMNS)


def _on_connect(dbapi: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is switched off so that `_on_begin` decides how
    # each transaction starts.
    dbapi.isolation_level = None
    dbapi.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
    _into_wal(dbapi)
    for pragma in ("synchronous = FULL", "foreign_keys = ON", f"cache_size = -{_CACHE_KIB}"):
        dbapi.execute(f"PRAGMA {pragma}")


def _into_wal(dbapi: sqlite3.Connection) -> None:
    """Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is
    locked" at once, without its busy handler, when several processes open the file together:
    wait and try again, as the busy timeout would."""
    deadline = time.monotonic() + _BUSY_MS / 1000
    while True:
        try:
            dbapi.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _on_begin(conn: Connection) -> None:
    # A writer takes the lock up front: a deferred transaction that reads and then writes
    # could find another writer in between and fail instead of waiting its turn.
    immediate = conn.get_execution_options().get("credo_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SqliteLedgerStore(SqlLedgerStore):
    """`sqlite:///path/credo.db`; the file is created on `migrate()`."""

    def __init__(self, url: str, *, signer: HeadSigner | None = None) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            raise ValueError(f"not an SQLite URL: {url!r}")
        if parsed.database in (None, "", ":memory:"):
            # Each pooled connection would see a database of its own.
            raise ValueError("an SQLite ledger needs a file (sqlite:///path); use memory: instead")
        engine = create_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            connect_args={"check_same_thread": False, "timeout": _BUSY_MS / 1000},
        )
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        super().__init__(engine, signer)
        self._recipe = partial(type(self), url)

    def recipe(self) -> partial[SqliteLedgerStore]:
        return self._recipe

    def export(self) -> tuple[pa.Table, pa.Table]:
        from credo.adapters.stores.export import export_sqlite

        return export_sqlite(self)

    def _insert_ignoring_conflicts(self, table: Any) -> Insert:
        return sqlite.insert(table).on_conflict_do_nothing()

    def _insert_rows(self, conn: Connection, rows: list[RecordRow], at: datetime) -> dict[str, int]:
        # The write lock is held since BEGIN IMMEDIATE, so every row above the highest seq
        # seen now was inserted by this statement.
        before = conn.execute(select(func.coalesce(func.max(records.c.seq), 0))).scalar_one()
        stamp = utc_text(at)
        in_key_order = sorted(rows, key=lambda row: str(row[0]))
        conn.exec_driver_sql(_INSERT_RECORDS, [(*row[:ROW_WIDTH], stamp) for row in in_key_order])
        query = select(records.c.record_id, records.c.seq).where(records.c.seq > before)
        created: dict[str, int] = dict(driver_rows(conn, query))
        new_subjects: dict[str, tuple[str, str, str, str]] = {}
        for row in rows:
            if row[0] in created and row[3] not in new_subjects:
                new_subjects[row[3]] = (row[3], row[12], row[11], stamp)
        if new_subjects:
            conn.exec_driver_sql(_INSERT_SUBJECTS, list(new_subjects.values()))
        return created

    def verdict_table(self) -> pa.Table:
        from credo.adapters.stores.export import verdicts_sqlite

        return verdicts_sqlite(self)

    def _insert_scores(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.exec_driver_sql(_INSERT_SCORES, [_score_values(r) for r in rows])

    def _insert_verdicts(self, conn: Connection, rows: list[VerdictRow]) -> None:
        if rows:
            conn.exec_driver_sql(_INSERT_VERDICTS, [_verdict_values(r) for r in rows])

    def _one_of(self, column: ColumnElement[str], values: list[str]) -> ColumnElement[bool]:
        listed = func.json_each(orjson.dumps(values).decode()).table_valued("value")
        return column.in_(select(listed.c.value))
