"""`credo synth`: a synthetic ledger that is deterministic, skewed like a real one, covers every
record type, ingests without a reject, and scores the same on the engine and the online path."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from credo.adapters import writers
from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource, PopulationEngine
from credo.adapters.readers import read_records
from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.writers import write_ledger_chunks
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import LedgerRecord, record_id_for
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.services.intake.ingest import ingest_items
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.check import load_pack
from credo.services.packs.rulebook import current_rulebook
from credo.services.synth.population import SynthSpec, synthesize_chunks
from credo.shipped import shipped_packs
from tests.engines import views
from tests.engines.spark import SPARK

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
# Small chunks, so that a small ledger still goes through chunking and file streaming.
SPEC = SynthSpec(subjects=1_500, records=12_000, seed=11, today=TODAY, chunk_records=2_500)


RULEBOOK = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return RULEBOOK


@pytest.fixture(scope="module")
def ledger(rulebook: Rulebook) -> tuple[pa.Table, pa.Table]:
    chunks = list(synthesize_chunks(rulebook, SPEC))
    return (
        pa.concat_tables(c.records for c in chunks),
        pa.concat_tables(c.entries for c in chunks),
    )


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory, rulebook: Rulebook) -> Path:
    out = tmp_path_factory.mktemp("synth") / "ledger"
    chunks = synthesize_chunks(rulebook, SPEC)
    written = write_ledger_chunks(((c.records, c.entries) for c in chunks), out)
    assert [p.name for p in written.files] == ["records-00000.parquet", "entries.parquet"]
    return out


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_bytes(
    tmp_path: Path, rulebook: Rulebook, out_dir: Path
) -> None:
    def write(name: str, seed: int) -> str:
        spec = SynthSpec(SPEC.subjects, SPEC.records, seed, TODAY, chunk_records=SPEC.chunk_records)
        chunks = synthesize_chunks(rulebook, spec)
        write_ledger_chunks(((c.records, c.entries) for c in chunks), tmp_path / name)
        return _digest(tmp_path / name)

    assert write("a", SPEC.seed) == _digest(out_dir)
    assert write("b", SPEC.seed + 1) != _digest(out_dir)


def test_every_record_type_of_every_version_appears(
    rulebook: Rulebook, ledger: tuple[pa.Table, pa.Table]
) -> None:
    records, _ = ledger
    declared = {t for v in rulebook.all_versions() for t in v.pack.record_types}
    assert set(records.column("type").to_pylist()) == declared
    # A type a version repealed is reported only while a version declaring it is in force.
    bills = pc.filter(records, pc.equal(records["type"], "utility.unpaid_bill"))
    assert max(bills.column("occurred_at").to_pylist()) < date(2026, 7, 1)
    days = records.column("occurred_at").to_pylist()
    starts = sorted({v.effective_from for v in rulebook.all_versions()})
    assert min(days) < starts[0]
    assert max(days) >= starts[-1]
    assert max(days) <= TODAY


def test_most_subjects_have_few_records_and_a_few_have_very_many(
    ledger: tuple[pa.Table, pa.Table],
) -> None:
    records, _ = ledger
    ids = pc.struct_field(records["subject"], "id")
    counts = pc.value_counts(ids).field("counts").to_numpy()
    few = (counts <= 3).sum() + (SPEC.subjects - len(counts))  # subjects with no record at all
    assert few / SPEC.subjects > 0.5
    assert counts.max() > 10 * records.num_rows / SPEC.subjects


def test_cases_are_shared_and_admissions_repaired_later(
    rulebook: Rulebook, ledger: tuple[pa.Table, pa.Table]
) -> None:
    records, _ = ledger
    rows = records.select(["subject", "type", "occurred_at", "case_ref"]).to_pylist()
    by_case: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in rows:
        if row["case_ref"]:
            by_case.setdefault((row["subject"]["id"], row["case_ref"]), []).append(row)
    assert sum(len(v) > 1 for v in by_case.values()) > 20
    repairs = {
        lst.admit.record: lst.repair.record
        for v in rulebook.all_versions()
        for lst in v.pack.lists
        if lst.repair
    }
    repaired = 0
    for group in by_case.values():
        for fix in (r for r in group if r["type"] in repairs.values()):
            admitted = [r for r in group if repairs.get(str(r["type"])) == fix["type"]]
            assert any(a["occurred_at"] < fix["occurred_at"] for a in admitted)  # type: ignore[operator]
            repaired += 1
    assert repaired > 10


def test_entries_follow_their_records_and_precede_as_of(
    ledger: tuple[pa.Table, pa.Table],
) -> None:
    records, entries = ledger
    occurred = {
        record_id_for(s, r): d
        for s, r, d in zip(
            records.column("source").to_pylist(),
            records.column("source_ref").to_pylist(),
            records.column("occurred_at").to_pylist(),
            strict=True,
        )
    }
    rows = entries.to_pylist()
    kinds = [e["kind"] for e in rows]
    assert {"withdrawal", "objection", "decision"} <= set(kinds)
    objected = {e["objection_id"]: e["at"] for e in rows if e["kind"] == "objection"}
    decided = {e["objection_id"]: e for e in rows if e["kind"] == "decision"}
    assert 0 < len(decided) < len(objected)  # some objections are still open
    assert {d["outcome"] for d in decided.values()} == {"upheld", "overturned"}
    end = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for e in rows:
        start = occurred[e["record_id"]]
        assert datetime(start.year, start.month, start.day, tzinfo=UTC) < e["at"] <= end
        assert (e["outcome"] is not None) == (e["kind"] == "decision")
        assert (e["objection_id"] is None) == (e["kind"] == "withdrawal")
    for objection_id, d in decided.items():
        assert d["at"] > objected[objection_id]
    assert len({e["seq"] for e in rows}) == len(rows)


@pytest.mark.parametrize("name", ["ledger.jsonl", "ledger.parquet"])
def test_a_file_of_records_ingests_without_a_reject(
    tmp_path: Path, rulebook: Rulebook, ledger: tuple[pa.Table, pa.Table], name: str
) -> None:
    path = tmp_path / name
    written = write_ledger_chunks([(ledger[0], ledger[1])], path)
    assert written.files == [path]
    assert written.entries == 0
    store = MemoryLedgerStore()
    for pack in shipped_packs():
        adopt_pack_file(store, pack, now=NOW, actor="cli:test")
    report = ingest_items(store, current_rulebook(store), read_records(path), today=TODAY, now=NOW)
    assert report.rejected == []
    assert report.created == ledger[0].num_rows == store.count_records()


def test_each_record_in_the_directory_carries_its_id(out_dir: Path) -> None:
    records = pq.read_table(out_dir / "records-00000.parquet")
    assert records.schema.names[0] == "record_id"
    keys = zip(records["source"].to_pylist(), records["source_ref"].to_pylist(), strict=True)
    assert records["record_id"].to_pylist() == [record_id_for(s, r) for s, r in keys]


def _without_ids(out_dir: Path, to: Path) -> Path:
    """The directory's records as an ingest-format file from elsewhere would be: no record_id."""
    to.mkdir()
    for path in sorted(out_dir.glob("records*.parquet")):
        pq.write_table(pq.read_table(path).drop_columns(["record_id"]), to / path.name)
    return to


@pytest.mark.parametrize("as_of", [TODAY, date(2026, 3, 1)])
def test_the_engine_scores_the_directory_as_the_online_path_does(
    tmp_path: Path, out_dir: Path, as_of: date
) -> None:
    store = MemoryLedgerStore()
    for pack in shipped_packs():
        adopt_pack_file(store, pack, now=NOW, actor="cli:test")
    rulebook = current_rulebook(store)
    # The record id is the engine's, not part of the ingest format: ingest the records without it.
    for path in sorted(_without_ids(out_dir, tmp_path / "ingest").glob("records*.parquet")):
        report = ingest_items(store, rulebook, read_records(path), today=TODAY, now=NOW)
        assert report.rejected == []
    for e in pq.read_table(out_dir / "entries.parquet").to_pylist():
        data = {k: e[k] for k in ("objection_id", "outcome") if e[k] is not None}
        store.append_entry(Entry(e["kind"], e["record_id"], "synth", e["at"], data))

    source = LedgerSource(str(out_dir / "records*.parquet"), str(out_dir / "entries.parquet"))
    result = DuckDbEngine(threads=1).recompute(source, rulebook, as_of, detail=True)
    ledger: dict[str, list[LedgerRecord]] = {}
    for batch in store.iter_records():
        for lr in batch:
            ledger.setdefault(lr.record.subject.id, []).append(lr)
    expected = views.online(rulebook, ledger, as_of)
    got = views.engine(result)
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]
    reasons = {v[0] for v in expected["verdicts"].values()}
    assert {"withdrawn", "overturned", "disputed", "merged"} <= reasons


def _scores(engine: PopulationEngine, source: LedgerSource) -> views.View:
    return views.engine(engine.recompute(source, RULEBOOK, TODAY, detail=True))


def test_attributes_as_json_text_score_as_the_typed_struct_does(
    tmp_path: Path, out_dir: Path
) -> None:
    """Older files keep `attributes` as JSON text; the engine reads either form the same."""
    records = pq.read_table(out_dir / "records-00000.parquet")
    as_text = [
        orjson.dumps({k: v for k, v in a.items() if v is not None}).decode()
        for a in records.column("attributes").to_pylist()
    ]
    i = records.schema.get_field_index("attributes")
    pq.write_table(records.set_column(i, "attributes", pa.array(as_text)), tmp_path / "r.parquet")
    entries = str(out_dir / "entries.parquet")
    engine = DuckDbEngine(threads=1)
    typed = _scores(engine, LedgerSource(str(out_dir / "records*.parquet"), entries))
    assert _scores(engine, LedgerSource(str(tmp_path / "r.parquet"), entries)) == typed


def test_records_without_ids_score_as_records_with_them(tmp_path: Path, out_dir: Path) -> None:
    """Without a `record_id` column the engine hashes each id from source and source_ref."""
    entries = str(out_dir / "entries.parquet")
    engine = DuckDbEngine(threads=1)
    with_ids = _scores(engine, LedgerSource(str(out_dir / "records*.parquet"), entries))
    bare = _without_ids(out_dir, tmp_path / "bare")
    assert _scores(engine, LedgerSource(str(bare / "records*.parquet"), entries)) == with_ids


@pytest.mark.slow
@pytest.mark.spark
def test_spark_reads_the_typed_struct_as_duckdb_does(out_dir: Path) -> None:
    source = LedgerSource(str(out_dir / "records*.parquet"), str(out_dir / "entries.parquet"))
    duckdb = _scores(DuckDbEngine(threads=1), source)
    assert _scores(SPARK, source) == duckdb


def test_a_directory_is_never_written_over_another_ledger(
    out_dir: Path, ledger: tuple[pa.Table, pa.Table]
) -> None:
    with pytest.raises(FileExistsError, match="already holds a ledger"):
        write_ledger_chunks([ledger], out_dir)


def test_large_ledgers_are_split_into_files_of_whole_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ledger: tuple[pa.Table, pa.Table]
) -> None:
    monkeypatch.setattr(writers, "ROWS_PER_FILE", 5_000)
    records, entries = ledger
    parts = [(records.slice(i, 3_000), entries) for i in range(0, records.num_rows, 3_000)]
    written = write_ledger_chunks(parts, tmp_path / "ledger")
    names = [p.name for p in written.files]
    assert names[0] == "records-00000.parquet"
    assert names[-1] == "entries.parquet"
    assert len(names) == 1 + -(-len(parts) // 2)  # two chunks of 3,000 fill a file of 5,000
    read = pa.concat_tables(pq.read_table(p) for p in written.files[:-1])
    assert read.num_rows == written.records == records.num_rows
