"""`credo ingest` of a synthetic ledger into SQLite and PostgreSQL, beside a raw PostgreSQL COPY
of the very rows the store writes (the ceiling for getting rows into PostgreSQL)."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

from benchmarks.report import Report
from credo.adapters.readers import read_records
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.rows import record_row
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.adapters.writers import write_ledger
from credo.domain.ledger.intake import parse_record
from credo.domain.rules.rulebook import Rulebook
from credo.services.intake.ingest import ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.synth.population import SynthSpec, synthesize
from credo.shipped import shipped_packs

TODAY = date(2026, 11, 22)
PG_URL = os.environ.get("CREDO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "credo_bench"


def ledger_file(out: Path, n: int) -> Path:
    path = out / f"ledger-{n}.jsonl"
    if not path.exists():
        from credo.domain.rules.rulebook import PackVersion
        from credo.services.packs.check import load_pack

        rulebook = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())
        write_ledger(synthesize(rulebook, SynthSpec(n // 10, n, today=TODAY)), path)
    return path


def _ingest(store: LedgerStore, path: Path) -> tuple[float, int]:
    store.migrate()
    now = datetime.now(UTC)
    for pack in shipped_packs():
        adopt_pack_file(store, pack, now=now, actor="cli:bench")
    report = ingest_file(store, current_rulebook(store), path, today=TODAY, now=now)
    assert report.ok, report.rejected[:3]
    return report.rate, report.created


def _fresh_schema(name: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as c:
        c.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _copy_rate(path: Path, rulebook: Rulebook) -> float:
    """COPY of the rows credo writes, prepared beforehand: only the COPY is timed."""
    now = datetime.now(UTC)
    rows = []
    for _, raw in read_records(path):
        record = parse_record(raw, rulebook, TODAY)
        rows.append((*record_row(record, record.fingerprint())[:11], now))
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS credo_copy_reference")
        conn.execute(f"CREATE TABLE credo_copy_reference (LIKE {SCHEMA}.records INCLUDING ALL)")
        cols = (
            "record_id, source, source_ref, subject_id, type, occurred_at, attributes, "
            "evidence_uri, evidence_sha256, case_ref, fingerprint, recorded_at"
        )
        started = time.perf_counter()
        copy_sql = f"COPY credo_copy_reference ({cols}) FROM STDIN"
        with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE credo_copy_reference")
    return len(rows) / seconds


def run(report: Report, n: int, out: Path) -> None:
    path = ledger_file(out, n)
    db = out / "ingest.db"
    for leftover in out.glob("ingest.db*"):
        leftover.unlink()
    rate, created = _ingest(SqliteLedgerStore(f"sqlite:///{db}"), path)
    report.figure(f"ingest {created:,} records into SQLite", rate, "records/s")

    _fresh_schema(SCHEMA)
    store = PostgresLedgerStore(PG_URL, schema=SCHEMA)
    rate, created = _ingest(store, path)
    report.figure(f"ingest {created:,} records into PostgreSQL", rate, "records/s")
    copy = _copy_rate(path, current_rulebook(store))
    report.figure("PostgreSQL COPY of the same rows", copy, "records/s")
    report.ratio("credo ingest (PostgreSQL) / COPY", rate / copy, goal=0.3)
    store.close()
    _fresh_schema(SCHEMA)
