"""`credo synth` gives a case_ref to every record whose type requires one (`case_ref: required`),
so a synthetic ledger still ingests without a reject: on the shipped packs, whose repairable
lists' types require it, and on a pack where a type with no list requires it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from credo.adapters.readers import read_records
from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.writers import write_ledger_chunks
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.services.intake.ingest import ingest_items
from credo.services.packs.check import check_pack_text, load_pack
from credo.services.synth.population import SynthSpec, synthesize_chunks
from credo.shipped import shipped_packs

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SPEC = SynthSpec(subjects=300, records=3_000, seed=5, today=TODAY)

TOWN = """\
pack: town
version: 1
effective_from: 2024-01-01
jurisdiction: XT
subject_kinds: [person]
score: {base: 100}
tiers: [{name: A, min: 100}, {name: B, min: null}]
record_types:
  tax.arrears:
    domain: tax
    case_ref: required
    fields: {amount: {type: number, min: 0}}
  traffic.violation:
    domain: traffic
rules:
  - {id: arrears, record: tax.arrears, points: -5, valid_days: 365, basis: "Tax law, art. 1"}
  - {id: traffic, record: traffic.violation, points: -1, valid_days: 365, basis: Road law}
"""


def required_types(rulebook: Rulebook) -> set[str]:
    return {
        name
        for v in rulebook.all_versions()
        for name, t in v.pack.record_types.items()
        if t.case_ref == "required"
    }


def synthesized(rulebook: Rulebook) -> pa.Table:
    return pa.concat_tables(c.records for c in synthesize_chunks(rulebook, SPEC))


def assert_every_required_case_ref_is_there(rulebook: Rulebook, records: pa.Table) -> None:
    wanted = required_types(rulebook)
    assert wanted
    of_them = records.filter(pc.is_in(records["type"], pa.array(sorted(wanted))))
    assert of_them.num_rows > 0
    assert of_them["case_ref"].null_count == 0


def ingests_without_a_reject(rulebook: Rulebook, records: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "records.parquet"
    write_ledger_chunks([(records, records.schema.empty_table())], path)
    report = ingest_items(MemoryLedgerStore(), rulebook, read_records(path), today=TODAY, now=NOW)
    assert report.rejected == []
    assert report.created == records.num_rows


def test_the_shipped_packs(tmp_path: Path) -> None:
    rulebook = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())
    assert required_types(rulebook) == {
        "court.judgment_default",
        "court.judgment_satisfied",
        "report.annual_missed",
        "report.annual_filed",
    }
    records = synthesized(rulebook)
    assert_every_required_case_ref_is_there(rulebook, records)
    ingests_without_a_reject(rulebook, records, tmp_path)


def test_a_type_with_no_list_that_requires_a_case_ref(tmp_path: Path) -> None:
    pack, problems = check_pack_text(TOWN, "town.yaml")
    assert pack is not None, problems
    rulebook = Rulebook([PackVersion(pack)])
    records = synthesized(rulebook)
    assert_every_required_case_ref_is_there(rulebook, records)
    traffic = records.filter(pc.equal(records["type"], "traffic.violation"))
    assert traffic["case_ref"].null_count > 0  # others still may go without
    ingests_without_a_reject(rulebook, records, tmp_path)
