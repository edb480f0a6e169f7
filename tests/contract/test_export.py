"""Every store exports its ledger as Arrow, and the DuckDB engine scores that export exactly as
the online path scores the store's records."""

from __future__ import annotations

from datetime import date

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource
from credo.adapters.stores.protocol import LedgerStore
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.shipped import packs_dir
from tests.contract.samples import NOW, entry, record
from tests.engines import views

DAY = date(2026, 11, 22)


def test_the_export_scores_as_the_store_does(store: LedgerStore) -> None:
    for version in ("v1", "v2"):
        adopt_pack_file(
            store, packs_dir() / "rongcheng" / f"{version}.yaml", now=NOW, actor="cli:test"
        )
    penalties = [record(f"TP-{i}", who=f"p-{i % 4}", severity=i % 5 + 1) for i in range(12)]
    default = record("C-1", who="p-1", type_="court.judgment_default", case_ref="K-1", amount=9.5)
    store.append_records([*penalties, default], recorded_at=NOW)
    store.append_entry(entry("withdrawal", penalties[0], 1))
    store.append_entry(entry("objection", penalties[1], 2, objection_id="o-1"))
    store.append_entry(entry("objection", penalties[2], 3, objection_id="o-2"))
    store.append_entry(entry("decision", penalties[2], 4, objection_id="o-2", outcome="overturned"))

    records, entries = store.export()
    assert records.num_rows == 13
    assert entries.num_rows == 4
    rulebook = current_rulebook(store)
    result = DuckDbEngine(threads=1).recompute(
        LedgerSource(records, entries), rulebook, DAY, detail=True
    )
    ledger = {f"p-{n}": store.records_of(f"p-{n}") for n in range(4)}
    expected = views.online(rulebook, ledger, DAY)
    got = views.engine(result)
    assert got == expected
    assert {v[0] for v in expected["verdicts"].values()} >= {"withdrawn", "overturned", "disputed"}


def test_an_export_sees_what_was_written_after_the_last_one(store: LedgerStore) -> None:
    # On SQLite the export reads through a second copy of the library in the same process,
    # which must not miss what the store's own connections wrote since.
    adopt_pack_file(store, packs_dir() / "rongcheng" / "v1.yaml", now=NOW, actor="cli:test")
    first = record("TP-1")
    store.append_records([first], recorded_at=NOW)
    assert store.export()[1].num_rows == 0
    store.append_entry(entry("withdrawal", first, 1))
    store.append_records([record("TP-2")], recorded_at=NOW)
    records, entries = store.export()
    assert (records.num_rows, entries.num_rows) == (2, 1)


def test_columns_empty_for_thousands_of_rows_export_as_text(store: LedgerStore) -> None:
    """A ledger whose first few thousand entries are notices (no objection id, no outcome) and
    records (no case) exports an objection and a case further on as text, on every store."""
    records = [record(f"TP-{i}", who=f"p-{i % 50}") for i in range(3_000)]
    records.append(record("C-1", who="p-1", type_="court.judgment_default", case_ref="K-1"))
    store.append_records(records, recorded_at=NOW)
    store.append_entries([entry("notice", r, 1) for r in records[:3_000]])
    store.append_entry(entry("objection", records[-1], 2, objection_id="o-1"))
    store.append_entry(entry("decision", records[-1], 3, objection_id="o-1", outcome="upheld"))
    exported, entries = store.export()
    assert exported.column("case_ref").to_pylist().count("K-1") == 1
    assert exported.column("case_ref").null_count == 3_000
    assert sorted(v for v in entries.column("objection_id").to_pylist() if v) == ["o-1", "o-1"]
    assert entries.column("outcome").drop_null().to_pylist() == ["upheld"]
