"""The fold against the staged engine on a synthetic ledger, on dates straddling every version
change, whole tables compared (validity dates and unscorable subjects too); and the judged
ledger kept beside a Parquet ledger: read back when it matches, judged again when it does not."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.fold_engine import FoldEngine, Folder
from credo.adapters.engines.judged_files import FORMAT
from credo.adapters.engines.protocol import LedgerSource, Recomputed
from credo.adapters.engines.spark_fold import SparkFolder, write_parts
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.domain.scoring.judged import Numbering
from credo.services.packs.check import load_pack
from credo.services.synth.population import SynthSpec, synthesize_chunks
from credo.shipped import shipped_packs
from tests.engines import views
from tests.engines.spark import SPARK

SPEC = SynthSpec(subjects=200, records=2_000, seed=11)


@cache
def rulebook() -> Rulebook:
    return Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())


def write_ledger(folder: Path, spec: SynthSpec = SPEC) -> LedgerSource:
    chunks = list(synthesize_chunks(rulebook(), spec))
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables(c.records for c in chunks), folder / "records-0.parquet")
    pq.write_table(pa.concat_tables(c.entries for c in chunks), folder / "entries.parquet")
    return LedgerSource(
        str(folder / "records*.parquet"), str(folder / "entries*.parquet"), judged=folder / "j"
    )


def ledger_size(folder: Path) -> int:
    return int(pq.read_metadata(folder / "records-0.parquet").num_rows)


def rows(result: Recomputed) -> dict[str, list[dict[str, object]]]:
    def sorted_rows(table: pa.Table | None) -> list[dict[str, object]]:
        assert table is not None
        return sorted(table.to_pylist(), key=lambda r: json.dumps(r, default=str))

    found = {
        "scores": sorted_rows(result.scores),
        "entries": sorted_rows(result.entries),
        "unjudged": sorted_rows(result.unjudged),
    }
    if result.contributions is not None:
        # Per record what the differential suite compares: for one that does not count, its
        # reason (and rule), whatever an engine leaves in its other columns.
        found["verdicts"] = sorted(views.engine(result)["verdicts"].items())
    return found


def straddling(rb: Rulebook, today: date) -> list[date]:
    days = {today}
    for v in rb.all_versions():
        days |= {v.effective_from - timedelta(days=1), v.effective_from}
    return sorted(days)


def test_the_fold_equals_the_staged_engine_on_every_date(tmp_path: Path) -> None:
    source = write_ledger(tmp_path / "ledger")
    rb = rulebook()
    folder = Folder(FoldEngine(threads=1).judged(source, rb), rb)
    staged = DuckDbEngine(threads=1)
    dates = straddling(rb, SPEC.today)
    assert len(dates) == 5  # the day before and the day of each start, and synth's today
    for as_of in dates:
        got = folder.on(as_of, detail=True)
        expected = staged.recompute(source, rb, as_of, detail=True)
        assert got.versions == expected.versions
        assert got.records == expected.records == ledger_size(tmp_path / "ledger")
        assert rows(got) == rows(expected), as_of
    # The ledger exercises what the fold does: on the last date, list entries and records
    # excluded for each reason a date can give.
    assert got.entries.num_rows > 0
    assert got.contributions is not None
    reasons = set(got.contributions.column("reason").to_pylist())
    assert {None, "expired", "merged", "withdrawn", "overturned", "disputed"} <= reasons


def test_the_judged_ledger_is_kept_beside_the_files(tmp_path: Path) -> None:
    source = write_ledger(tmp_path / "ledger")
    rb = rulebook()
    engine = FoldEngine(threads=1)
    stages: list[str] = []
    first = engine.recompute(source, rb, SPEC.today, detail=True, progress=stages.append)
    assert "judging every record" in stages
    (kept,) = [p for p in (tmp_path / "ledger" / "j").iterdir() if p.is_dir()]
    assert json.loads((kept / "meta.json").read_text())["format"] == FORMAT

    stages.clear()
    again = engine.recompute(source, rb, SPEC.today + timedelta(days=3), progress=stages.append)
    assert "judging every record" not in stages
    assert "reading the judged ledger" in stages
    assert again.scores.num_rows > 0

    # --rejudge rebuilds it from the ledger: the same tables, the same answer.
    before = {n: feather.read_table(kept / f"{n}.arrow") for n in ("records", "lists", "subjects")}
    stages.clear()
    rejudged = engine.recompute(
        LedgerSource(source.records, source.entries, judged=source.judged, rejudge=True),
        rb,
        SPEC.today,
        detail=True,
        progress=stages.append,
    )
    assert "judging every record" in stages
    for name, table in before.items():
        assert feather.read_table(kept / f"{name}.arrow").equals(table)
    assert rows(rejudged) == rows(first)


def test_a_changed_ledger_or_rulebook_is_judged_again(tmp_path: Path) -> None:
    source = write_ledger(tmp_path / "ledger")
    rb = rulebook()
    engine = FoldEngine(threads=1)
    engine.recompute(source, rb, SPEC.today)
    judged = tmp_path / "ledger" / "j"
    (key,) = [p.name for p in judged.iterdir() if p.is_dir()]

    # One record fewer: another ledger, another key.
    records = pq.read_table(tmp_path / "ledger" / "records-0.parquet")
    pq.write_table(records.slice(1), tmp_path / "ledger" / "records-0.parquet")
    stages: list[str] = []
    fewer = engine.recompute(source, rb, SPEC.today, progress=stages.append)
    assert "judging every record" in stages
    assert fewer.records == records.num_rows - 1
    keys = {p.name for p in judged.iterdir() if p.is_dir()}
    assert len(keys) == 2
    assert key in keys

    # A rulebook with one version fewer judges differently: judged again too, and of the
    # older judged ledgers only the latest is kept.
    older = Rulebook(v for v in rb.all_versions() if v.version == 1)
    stages.clear()
    engine.recompute(source, older, SPEC.today, progress=stages.append)
    assert "judging every record" in stages
    now = {p.name for p in judged.iterdir() if p.is_dir()}
    assert len(now) == 2
    assert key not in now
    assert len(now & keys) == 1


def test_before_any_version_and_after_every_expiry(tmp_path: Path) -> None:
    """Far from the ledger's dates: nobody scored before the packs (every subject reported
    with the reason), everyone back at base long after."""
    source = write_ledger(tmp_path / "ledger", SynthSpec(subjects=50, records=400, seed=3))
    rb = rulebook()
    folder = Folder(FoldEngine(threads=1).judged(source, rb), rb)
    staged = DuckDbEngine(threads=1)
    for as_of in (date(2020, 1, 1), date(2030, 1, 1)):
        got = folder.on(as_of, detail=True)
        assert rows(got) == rows(staged.recompute(source, rb, as_of, detail=True))
    before = folder.on(date(2020, 1, 1))
    assert before.scores.num_rows == 0
    assert before.unjudged is not None
    assert before.unjudged.num_rows == folder.judged.subjects.num_rows
    after = folder.on(date(2030, 1, 1))
    assert set(after.scores.column("score").to_pylist()) == {1000, 100}


@pytest.mark.spark
def test_the_fold_on_spark_is_the_fold_on_every_date(tmp_path: Path) -> None:
    """The same fold shared out in parts of whole subjects (here of about 150 records, so the
    ledger's 2,000 make more parts than Spark has tasks, and a task folds several): the same
    tables, to the record, as folded in one piece."""
    source = write_ledger(tmp_path / "ledger")
    rb = rulebook()
    judged = FoldEngine(threads=1).judged(source, rb)
    parts = write_parts(judged, Numbering.of(rb).versions, tmp_path / "parts", 150)
    assert parts > 4
    here = Folder(judged, rb)
    there = SparkFolder(judged, rb, SPARK.spark(), tmp_path / "parts")
    for as_of in straddling(rb, SPEC.today):
        assert rows(there.on(as_of, detail=True)) == rows(here.on(as_of, detail=True)), as_of
        assert rows(there.on(as_of)) == rows(here.on(as_of)), as_of


def test_the_fold_in_parts_is_the_fold_in_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large ledger folds in parts of whole subjects, side by side: here parts of about 300
    records, on every date straddling a version change, every table and verdict alike."""
    from credo.adapters.engines import fold_engine

    source = write_ledger(tmp_path / "ledger")
    rb = rulebook()
    judged = FoldEngine(threads=1).judged(source, rb)
    whole = Folder(judged, rb, threads=1)
    monkeypatch.setattr(fold_engine, "PART_ROWS", 300)
    parted = Folder(judged, rb, threads=2)
    for as_of in straddling(rb, SPEC.today):
        assert rows(parted.on(as_of, detail=True)) == rows(whole.on(as_of, detail=True)), as_of
