"""The ledger in PostgreSQL (psycopg 3). Batches go in by COPY into a session-local staging
table, then one `INSERT … SELECT … ON CONFLICT DO NOTHING` that also adds the new subjects; a
few records (what the API mostly receives) go in by a plain `INSERT … ON CONFLICT DO NOTHING`.

A statement outside a transaction is a transaction of its own in PostgreSQL, so plain reads
and single-statement writes run in autocommit: no BEGIN and COMMIT round trips around them.
"""

from __future__ import annotations

import select as _select
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import namedtuple_row
from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.dml import Insert

from credo.adapters.stores.protocol import StoredScore
from credo.adapters.stores.sql.ledger import SqlLedgerStore
from credo.adapters.stores.sql.rows import ROW_WIDTH, RecordRow
from credo.adapters.stores.sql.scores import _stored as stored_from_row
from credo.adapters.stores.sql.scores import score_row
from credo.adapters.stores.sql.tables import (
    UtcDateTime,
    as_utc,
    key_type,
    records,
    scores,
    subjects,
)
from credo.domain.audit.tree_heads import HeadSigner
from credo.domain.scoring.verdicts import VERDICT_KEPT, VerdictRow

if TYPE_CHECKING:
    import pyarrow as pa

DRIVER = "postgresql+psycopg"
_MIGRATION_LOCK = zlib.crc32(b"credo.migrate")
_LOG_LOCK = zlib.crc32(b"credo.audit-log")
_ROW_COLUMNS = [c.name for c in records.columns if c.name not in ("seq", "recorded_at")]
SMALL_BATCH = 32
"""Batches up to this size skip the staging table: COPY costs more than it saves on a few rows."""
POOL_SIZE = 8
"""Connections kept open per process: as many as the threads that use them at once."""
_RECYCLE_SECONDS = 1800
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

_stage = Table(
    "credo_stage",
    MetaData(),
    Column("ord", Integer, nullable=False),
    *(Column(c.name, c.type) for c in records.columns if c.name in _ROW_COLUMNS),
    Column("kind", key_type()),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
)
_STAGE_COLUMNS = [c.name for c in _stage.columns]


def _insert_statement() -> Select[str, int]:
    """Records in key order, so that concurrent batches lock keys in the same order and
    cannot deadlock; then the subjects of the records created, the first in the batch wins."""
    at = bindparam("at", type_=UtcDateTime)
    created = (
        postgresql.insert(records)
        .from_select(
            [*_ROW_COLUMNS, "recorded_at"],
            _stage.select()
            .with_only_columns(*(_stage.c[c] for c in _ROW_COLUMNS), at)
            .order_by(_stage.c.record_id),
        )
        .on_conflict_do_nothing()
        .returning(records.c.record_id, records.c.seq)
        .cte("created")
    )
    firsts = (
        _stage.select()
        .with_only_columns(_stage.c.subject_id, _stage.c.kind, _stage.c.region, at)
        .join_from(_stage, created, _stage.c.record_id == created.c.record_id)
        .ext(postgresql.distinct_on(_stage.c.subject_id))
        .order_by(_stage.c.subject_id, _stage.c.ord)
    )
    new_subjects = (
        postgresql.insert(subjects)
        .from_select(["id", "kind", "region", "first_seen"], firsts)
        .on_conflict_do_nothing()
        .cte("new_subjects")
    )
    return select(created.c.record_id, created.c.seq).add_cte(new_subjects)


_INSERT = _insert_statement()
_CREATE_STAGE = CreateTable(_stage, if_not_exists=True)
_COPY = f"COPY {_stage.name} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"


_SCORE_COLUMNS = [c.name for c in scores.columns]
_COPY_SCORES = f"COPY scores ({', '.join(_SCORE_COLUMNS)}) FROM STDIN"
_COPY_VERDICTS = f"COPY verdicts (seq, {', '.join(VERDICT_KEPT)}) FROM STDIN"

_INSERT_SMALL = (
    postgresql.insert(records)
    .on_conflict_do_nothing()
    .returning(records.c.record_id, records.c.seq)
)
_INSERT_SUBJECTS = postgresql.insert(subjects).on_conflict_do_nothing()
_UPSERT_SCORE = postgresql.insert(scores)
_UPSERT_SCORE = _UPSERT_SCORE.on_conflict_do_update(
    index_elements=[scores.c.subject_id],
    set_={c.name: _UPSERT_SCORE.excluded[c.name] for c in scores.columns if c.name != "subject_id"},
    # Never over a score judged on a larger ledger (see `ScoreStore.put_score`).
    where=scores.c.ledger_size.is_(None)
    | _UPSERT_SCORE.excluded.ledger_size.is_(None)
    | (scores.c.ledger_size <= _UPSERT_SCORE.excluded.ledger_size),
)


_CREATE_ENTRY_STAGE = text(
    "CREATE TEMPORARY TABLE IF NOT EXISTS credo_entry_stage (ord integer, kind text, "
    'record_id text COLLATE "C", actor text, at timestamptz, data jsonb) ON COMMIT DROP'
)
_COPY_ENTRIES = "COPY credo_entry_stage (ord, kind, record_id, actor, at, data) FROM STDIN"
_INSERT_ENTRIES = (
    "INSERT INTO entries (kind, record_id, actor, at, data) "
    "SELECT kind, record_id, actor, at, data FROM credo_entry_stage ORDER BY ord RETURNING seq"
)

_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
_SUBJECT = bindparam("subject_id", type_=key_type())
_STORED_SCORE = str(select(scores).where(scores.c.subject_id == _SUBJECT).compile(dialect=_DIALECT))


def _drop_if_closed(
    dbapi: psycopg.Connection[Any], record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """Instead of a ping on every checkout: an idle connection has nothing to read, so one
    with bytes waiting (the server's goodbye) or already closed is dead, and the pool replaces
    it. A dead connection this misses fails its statement once; SQLAlchemy then invalidates
    the pool, and every connection after that is new."""
    if dbapi.closed:
        raise sa_exc.DisconnectionError("connection closed")
    try:
        readable, _, _ = _select.select([dbapi.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error) as e:
        raise sa_exc.DisconnectionError(str(e)) from e
    if readable:
        raise sa_exc.DisconnectionError("the server closed the connection")


def _copy(conn: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """`COPY … FROM STDIN` of these rows through the driver, in the connection's transaction."""
    raw: psycopg.Connection[Any] = conn.connection.driver_connection  # type: ignore[assignment]
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as e:
        # Wrapped as SQLAlchemy wraps what it runs, so errors map the same way.
        raise sa_exc.DBAPIError.instance(statement, None, e, psycopg.Error) from e


def postgres_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return parsed.set(drivername=DRIVER)


class PostgresLedgerStore(SqlLedgerStore):
    """`postgresql://user@host:port/db`. With `schema`, every table lives in that schema
    (created on `migrate()`), which lets several ledgers share one database."""

    snapshot: ClassVar[dict[str, str]] = {"isolation_level": "REPEATABLE READ"}

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        pool_size: int = POOL_SIZE,
        signer: HeadSigner | None = None,
    ) -> None:
        connect_args: dict[str, Any] = {"connect_timeout": 10}
        if schema is not None:
            if not schema.isidentifier():
                raise ValueError(f"schema name {schema!r} must be a plain identifier")
            connect_args["options"] = f"-c search_path={schema}"
        self.schema = schema
        engine = create_engine(
            postgres_url(url),
            connect_args=connect_args,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_recycle=_RECYCLE_SECONDS,
        )
        event.listen(engine, "checkout", _drop_if_closed)
        super().__init__(engine, signer)
        self._recipe = partial(type(self), url, schema=schema, pool_size=1)

    def recipe(self) -> partial[PostgresLedgerStore]:
        return self._recipe

    def export(self) -> tuple[pa.Table, pa.Table]:
        from credo.adapters.stores.export import export_postgres

        return export_postgres(self)

    @contextmanager
    def _read(self, **options: Any) -> Iterator[Connection]:
        if options:  # a snapshot across several queries needs its transaction
            with super()._read(**options) as conn:
                yield conn
            return
        # Each query sees what was committed when it began, in a transaction or not.
        with self.engine.connect() as conn:
            conn.execution_options(**_AUTOCOMMIT)
            yield conn

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """The driver's cursor on a pooled connection in autocommit, rows as named tuples: for
        the reads on every request's path, where SQLAlchemy's execution of a statement costs
        three times the CPU of the driver's own, prepared. Driver errors are wrapped as
        SQLAlchemy wraps them, so `_errors` maps them the same way."""
        with self._errors(), self.engine.connect() as conn:
            conn.execution_options(**_AUTOCOMMIT)
            raw: psycopg.Connection[Any] = conn.connection.driver_connection  # type: ignore[assignment]
            try:
                with raw.cursor(row_factory=namedtuple_row) as cur:
                    yield cur
            except psycopg.Error as e:
                raise sa_exc.DBAPIError.instance("", None, e, psycopg.Error) from e

    def stored_score(self, subject_id: str) -> StoredScore | None:
        with self._cursor() as cur:
            cur.execute(_STORED_SCORE, {"subject_id": subject_id}, prepare=True)
            row: Any = cur.fetchone()
        if row is None:
            return None
        return stored_from_row(row._replace(computed_at=as_utc(row.computed_at)))

    def put_scores(self, items: Sequence[StoredScore]) -> None:
        # An upsert: no transaction around a delete and an insert, and each score stands alone.
        if not items:
            return
        with self._errors(), self.engine.connect() as conn:
            conn.execution_options(**_AUTOCOMMIT)
            conn.execute(_UPSERT_SCORE, [score_row(s, s.run_id) for s in items])

    def _insert_scores(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """A recompute's scores go in by COPY."""
        if len(rows) <= SMALL_BATCH:
            super()._insert_scores(conn, rows)
            return
        _copy(conn, _COPY_SCORES, ([row[c] for c in _SCORE_COLUMNS] for row in rows))

    def _insert_ignoring_conflicts(self, table: Any) -> Insert:
        return postgresql.insert(table).on_conflict_do_nothing()

    def _prepare_migration(self, conn: Connection) -> None:
        # Two processes starting together would otherwise race to create the same tables.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        if self.schema is not None:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")

    def _lock_log(self, conn: Connection) -> None:
        # Held to the transaction's end: writers append one after another, each growing the
        # tree from the head the one before it signed, and numbering rows in the log's order.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOG_LOCK})")

    def _is_transient(self, error: BaseException) -> bool:
        if isinstance(error, sa_exc.DBAPIError):
            error = error.orig or error
        return isinstance(error, pg_errors.DeadlockDetected)

    def _insert_rows(self, conn: Connection, rows: list[RecordRow], at: datetime) -> dict[str, int]:
        if len(rows) <= SMALL_BATCH:
            return self._insert_few(conn, rows, at)
        # Room to sort a batch in memory rather than spill it to disk.
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        conn.execute(_CREATE_STAGE)
        _copy(conn, _COPY, ((i, *row) for i, row in enumerate(rows)))
        return dict(conn.execute(_INSERT, {"at": at}).all())

    def _insert_entries(self, conn: Connection, values: list[dict[str, Any]]) -> list[int]:
        """Many entries (the notices of a bulk load) go in by COPY through a staging table."""
        if len(values) <= SMALL_BATCH:
            return super()._insert_entries(conn, values)
        conn.execute(_CREATE_ENTRY_STAGE)
        rows = (
            (i, v["kind"], v["record_id"], v["actor"], v["at"], orjson.dumps(v["data"]).decode())
            for i, v in enumerate(values)
        )
        _copy(conn, _COPY_ENTRIES, rows)
        # Rows go in by `ord`, and each takes the next sequence number as it goes in: the
        # numbers in ascending order are the rows' in `ord` order.
        return sorted(int(seq) for seq in conn.exec_driver_sql(_INSERT_ENTRIES).scalars())

    def _insert_verdicts(self, conn: Connection, rows: list[VerdictRow]) -> None:
        """Many verdicts (a bulk load's, a ledger judged again) go in by COPY."""
        if len(rows) <= SMALL_BATCH:
            super()._insert_verdicts(conn, rows)
            return
        _copy(conn, _COPY_VERDICTS, rows)

    def verdict_table(self) -> pa.Table:
        from credo.adapters.stores.export import verdicts_postgres

        return verdicts_postgres(self)

    def _insert_few(self, conn: Connection, rows: list[RecordRow], at: datetime) -> dict[str, int]:
        """As the staged insert, with the rows as parameters: records in key order, then the
        subjects of those created, the first in the batch wins."""
        values = [
            dict(zip(_ROW_COLUMNS, row[:ROW_WIDTH], strict=True))
            | {"occurred_at": date.fromisoformat(row[5]), "recorded_at": at}
            for row in sorted(rows, key=lambda row: str(row[0]))
        ]
        created: dict[str, int] = dict(conn.execute(_INSERT_SMALL, values).all())
        firsts: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row[0] in created and row[3] not in firsts:
                firsts[row[3]] = {"id": row[3], "kind": row[12], "region": row[11]}
        if firsts:
            conn.execute(_INSERT_SUBJECTS, [s | {"first_seen": at} for s in firsts.values()])
        return created

    def _one_of(self, column: ColumnElement[str], values: list[str]) -> ColumnElement[bool]:
        array = bindparam("values", values, type_=postgresql.ARRAY(String()), unique=True)
        return column == any_(array)
