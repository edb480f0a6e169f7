"""`SqliteReads`, the reads `credo score` makes through `sqlite3` alone, give exactly what the
SQLite store gives on the same ledger, and stand aside wherever the store must open it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from credo.adapters.stores.protocol import ListMark, StoredScore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.adapters.stores.sql.sqlite_reads import SqliteReads
from credo.domain.errors import StoreUnavailable
from tests.contract.samples import NOW, entry, pack, record, subject

SUBJECTS = ("p-1", "p-2", "o-1", "nobody")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[tuple[str, SqliteLedgerStore]]:
    """A ledger with something of every kind these reads return: packs (one adopted by
    someone, one before that was kept), records with every status, floats, no evidence, a
    case and a region of their own, and stored scores with and without lists and an end."""
    url = f"sqlite:///{tmp_path / 'credo.db'}"
    store = SqliteLedgerStore(url)
    store.migrate()
    store.adopt_pack(pack(1))
    store.adopt_pack(replace(pack(2, checksum="d" * 64), adopted_by="cli:author"))
    org = subject("o-1", kind="organisation", region="CN")
    held = [
        record("TP-1"),
        record("TP-2", on=date(2026, 1, 5), amount=1245.61, paid=False),
        record("TP-3", evidence=None, case_ref="case-9"),
        record("TP-4", who=subject(region="CN-BJ"), on=date(2026, 6, 1)),
        record("TP-5", who="p-2", type_="tax.arrears"),
        record("TP-6", who=org, source="market-regulator", note="第一"),
    ]
    store.append_records(held[:3], recorded_at=NOW)
    store.append_records(held[3:], recorded_at=NOW + timedelta(hours=1))
    store.append_entries(
        [
            entry("withdrawal", held[0], 1, reason="entered twice"),
            entry("objection", held[1], 2, objection_id="o-1", reason="paid on time"),
            entry("decision", held[1], 3, objection_id="o-1", outcome="overturned", note="paid"),
            entry("objection", held[4], 4, objection_id="o-2", reason="not mine"),
            entry("notice", held[5], 5, points=-25),
        ]
    )
    marks = (ListMark("defaulters", held[4].record_id, date(2026, 1, 1), date(2028, 1, 1)),)
    store.put_score(
        StoredScore(
            "p-2",
            "town",
            2,
            "sha256:x",
            date(2026, 11, 22),
            940,
            "B",
            marks,
            date(2027, 3, 1),
            NOW,
            None,
            7,
        )
    )
    store.put_score(
        StoredScore("o-1", "town", 1, "sha256:y", date(2026, 11, 1), 1000, "A", (), None, NOW)
    )
    yield url, store
    store.close()


def test_every_answer_is_the_stores(ledger: tuple[str, SqliteLedgerStore]) -> None:
    url, store = ledger
    reads = SqliteReads.open(url)
    assert reads is not None
    try:
        assert reads.packs() == store.packs()
        assert [p.adopted_by for p in reads.packs()] == [None, "cli:author"]
        for sid in SUBJECTS:
            assert reads.records_of(sid) == store.records_of(sid), sid
            assert reads.stored_score(sid) == store.stored_score(sid), sid
        statuses = {lr.record.source_ref: lr.status for lr in reads.records_of("p-1")}
        assert len(set(statuses.values())) == 3  # withdrawn, overturned, active
        assert [lr.status.disputed for lr in reads.records_of("p-2")] == [True]
        assert reads.stored_score("p-2") is not None
    finally:
        reads.close()


def test_only_a_ledger_that_needs_nothing_done_is_read_so(tmp_path: Path) -> None:
    """Another database, a file not there, one never migrated, one whose log was never filled
    or that is behind the newest migration: the store opens those, and may write."""
    assert SqliteReads.open("postgresql://localhost/test") is None
    assert SqliteReads.open("sqlite://") is None
    assert SqliteReads.open(f"sqlite:///{tmp_path / 'none.db'}") is None
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).close()
    assert SqliteReads.open(f"sqlite:///{bare}") is None

    url = f"sqlite:///{tmp_path / 'credo.db'}"
    store = SqliteLedgerStore(url)
    store.migrate()
    assert SqliteReads.open(url) is None  # nothing logged yet: migrate() would fill the log
    store.append_records([record("TP-1")], recorded_at=NOW)
    reads = SqliteReads.open(url)
    assert reads is not None
    reads.close()
    with sqlite3.connect(tmp_path / "credo.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    assert SqliteReads.open(url) is None
    store.close()


def test_a_ledger_changed_under_it_is_unavailable(
    ledger: tuple[str, SqliteLedgerStore], tmp_path: Path
) -> None:
    """What the file no longer holds is the store's error, not a driver's traceback."""
    reads = SqliteReads.open(ledger[0])
    assert reads is not None
    with sqlite3.connect(tmp_path / "credo.db") as db:
        db.execute("DROP TABLE packs")
    with pytest.raises(StoreUnavailable, match="cannot be read"):
        reads.packs()
    reads.close()
