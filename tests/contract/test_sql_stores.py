"""What only the database stores promise: migrations, connection settings, error mapping,
transactions that leave nothing half-written, and reads that stay index lookups."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text

from credo.adapters.stores.migrations import head_revision
from credo.adapters.stores.sql.ledger import SqlLedgerStore, alembic_config
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.rows import RecordRow
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.adapters.stores.sql.tables import metadata, records
from credo.domain.errors import StoreUnavailable
from tests.contract.samples import NOW, entry, record, subject

UrlAndSchema = tuple[str, str | None]


def open_sql(where: UrlAndSchema) -> SqlLedgerStore:
    url, schema = where
    if url.startswith("sqlite"):
        return SqliteLedgerStore(url)
    return PostgresLedgerStore(url, schema=schema)


@pytest.fixture
def sql_store(sql_url: UrlAndSchema) -> Iterator[SqlLedgerStore]:
    store = open_sql(sql_url)
    store.migrate()
    yield store
    store.close()


def test_the_schema_is_current_only_after_migrate(sql_url: UrlAndSchema) -> None:
    store = open_sql(sql_url)
    try:
        assert store.schema_is_current() is False
        store.migrate()
        store.migrate()
        assert store.schema_is_current() is True
    finally:
        store.close()


def test_the_head_read_off_the_file_names_is_alembics_head() -> None:
    """A migration is `versions/vNNNN_name.py` holding revision NNNN: what `migrate()` reads
    to know, without Alembic, that a store is already there."""
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [head_revision()]


def test_migrate_brings_an_older_schema_to_the_head(sql_url: UrlAndSchema) -> None:
    store = open_sql(sql_url)
    try:
        store.migrate()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
            conn.execute(text("DROP TABLE tree_heads"))
            conn.execute(text("DROP TABLE audit_leaves"))
            conn.execute(text("DROP TABLE proposals"))  # 0009's
            conn.execute(text("DROP TABLE admin_entries"))  # 0010's
            conn.execute(text("ALTER TABLE packs DROP COLUMN adopted_by"))
            conn.execute(text("DROP TABLE audit_nodes"))  # 0011's
            conn.execute(text("DROP TABLE verdicts"))  # 0012's
            conn.execute(text("DROP TABLE verdicts_state"))
        assert store.schema_is_current() is False
        store.migrate()
        assert store.schema_is_current() is True
        assert store.signed_head() is None  # an empty ledger: nothing to log
    finally:
        store.close()


# The review queue's index is on an expression (`tables.objection_of`), which reflection
# does not read back; it is checked on its own below.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migrations_build_exactly_the_tables_the_queries_use(sql_store: SqlLedgerStore) -> None:
    with sql_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    on_an_expression = ("remove_index", "ix_entries_objection")
    assert [d for d in differences if (d[0], getattr(d[1], "name", None)) != on_an_expression] == []


def test_the_review_queue_finds_decisions_by_index(sql_store: SqlLedgerStore) -> None:
    with sql_store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT seq FROM entries "
                "WHERE kind = 'decision' AND json_extract(data, '$.objection_id') = 'x'"
            ).all()
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = conn.exec_driver_sql(
                "EXPLAIN SELECT seq FROM entries "
                "WHERE kind = 'decision' AND (data ->> 'objection_id') = 'x'"
            ).all()
    assert "ix_entries_objection" in " ".join(str(row) for row in plan)


def test_stores_starting_together_migrate_once(sql_url: UrlAndSchema) -> None:
    stores = [open_sql(sql_url) for _ in range(3)]
    start = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def migrate(store: SqlLedgerStore) -> None:
        start.wait()
        try:
            store.migrate()
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert failures == []
        assert all(s.schema_is_current() for s in stores)
    finally:
        for s in stores:
            s.close()


def test_every_sqlite_connection_is_durable_and_checks_keys(tmp_path: Path) -> None:
    store = SqliteLedgerStore(f"sqlite:///{tmp_path / 'credo.db'}")
    store.migrate()
    with store.engine.connect() as first, store.engine.connect() as second:
        for conn in (first, second):
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys")
            }
            assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
    store.close()


def test_an_unreachable_postgres_is_reported_without_its_password() -> None:
    store = PostgresLedgerStore("postgresql://credo:s3cret@127.0.0.1:1/ledger")  # nothing listens
    with pytest.raises(StoreUnavailable) as caught:
        store.count_records()
    message = str(caught.value)
    assert "127.0.0.1:1/ledger" in message
    assert "s3cret" not in message
    assert caught.value.status == 503


def test_an_sqlite_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="no-such-dir"):
        SqliteLedgerStore(f"sqlite:///{tmp_path / 'no-such-dir' / 'credo.db'}").migrate()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@127.0.0.1:1/db",
        "postgres://u@127.0.0.1:1/db",
        "postgresql+psycopg://u@127.0.0.1:1/db",
    ],
)
def test_urls_choose_psycopg_and_nothing_connects_on_construction(url: str) -> None:
    assert PostgresLedgerStore(url).engine.url.drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("store", "url", "complaint"),
    [
        (PostgresLedgerStore, "sqlite:///x.db", "not a PostgreSQL URL"),
        (SqliteLedgerStore, "postgresql://u@h/db", "not an SQLite URL"),
        (SqliteLedgerStore, "sqlite://", "needs a file"),
        (SqliteLedgerStore, "sqlite:///:memory:", "needs a file"),
    ],
)
def test_a_url_for_something_else_is_refused(store: type, url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        store(url)


def test_a_failure_after_the_insert_rolls_the_batch_back(
    sql_store: SqlLedgerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert = sql_store._insert_rows

    def insert_then_fail(conn: Any, rows: list[RecordRow], at: datetime) -> set[str]:
        assert insert(conn, rows, at)  # the rows are in, inside the transaction
        raise RuntimeError("interrupted")

    monkeypatch.setattr(sql_store, "_insert_rows", insert_then_fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        sql_store.append_records([record("TP-1"), record("TP-2", who="p-2")], recorded_at=NOW)
    monkeypatch.undo()
    assert sql_store.count_records() == 0
    assert sql_store.subjects(["p-1", "p-2"]) == {}


@pytest.fixture
def statements(sql_store: SqlLedgerStore) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.strip().upper())

    event.listen(sql_store.engine, "before_cursor_execute", note)
    yield seen
    event.remove(sql_store.engine, "before_cursor_execute", note)


def test_the_store_never_updates_or_deletes(
    sql_store: SqlLedgerStore, statements: list[str]
) -> None:
    batch = [record(f"TP-{i}", who=f"p-{i % 3}") for i in range(20)]
    sql_store.append_records(batch, recorded_at=NOW)
    sql_store.append_records([*batch, record("TP-1", severity=5)], recorded_at=NOW)
    sql_store.append_entry(entry("withdrawal", batch[0], 1))
    sql_store.records_of("p-1")
    list(sql_store.iter_records(batch_size=5))
    assert statements
    # Scores and verdicts are derived (scores forgotten when a subject's ledger changes, a
    # verdict's status rewritten with it); the ledger never is.
    derived = ("DELETE FROM SCORES ", "UPDATE VERDICTS ", "UPDATE VERDICTS_STATE ")
    ledger = [s for s in statements if not s.startswith(derived)]
    assert not [s for s in ledger if s.startswith(("UPDATE", "DELETE", "TRUNCATE", "DROP"))]


def test_a_subject_is_read_in_two_queries_however_many_records(
    sql_store: SqlLedgerStore, statements: list[str]
) -> None:
    batch = [record(f"TP-{i}") for i in range(50)]
    sql_store.append_records(batch, recorded_at=NOW)
    for r in batch[:10]:
        sql_store.append_entry(entry("objection", r, 1, objection_id=r.source_ref))
    statements.clear()
    assert len(sql_store.records_of("p-1")) == 50
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) == 2


def test_records_of_walks_the_subject_index(sql_store: SqlLedgerStore) -> None:
    batch = [record(f"TP-{i}", who=f"p-{i % 500}") for i in range(5_000)]
    sql_store.append_records(batch, recorded_at=NOW)
    with sql_store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT * FROM records WHERE subject_id = 'p-1' "
                "ORDER BY subject_id, occurred_at, seq"
            ).all()
        else:
            conn.exec_driver_sql("ANALYZE records")
            plan = conn.execute(
                text("EXPLAIN SELECT * FROM records WHERE subject_id = 'p-1'")
            ).all()
    described = " ".join(str(row[-1]) for row in plan)
    assert "ix_records_subject" in described
    assert "TEMP B-TREE" not in described  # the index gives the order: no sort


def test_records_kept_before_regions_per_record_read_their_subjects_region(
    sql_store: SqlLedgerStore,
) -> None:
    """Migration 0005 rewrites no row: a record kept without a region of its own (NULL) reads
    back, and exports, with its subject's first region."""
    sql_store.append_records([record("TP-1", who=subject(region="CN-SD"))], recorded_at=NOW)
    with sql_store.engine.begin() as conn:
        conn.execute(records.update().values(region=None))
    [lr] = sql_store.records_of("p-1")
    assert lr.record.subject.region == "CN-SD"
    exported, _ = sql_store.export()
    assert exported.column("region").to_pylist() == ["CN-SD"]
