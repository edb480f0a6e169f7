"""References in any script (SPEC §2) go through every store unchanged: Chinese sources,
references and cases are stored and read back as written, keyed by the same record id, and an
engine reading them hashes the same id and joins cases the same way as the online path."""

from __future__ import annotations

from datetime import date

import pytest

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource
from credo.adapters.stores.protocol import LedgerStore, Outcome
from credo.domain.ledger.records import Record, record_id_for
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.shipped import packs_dir
from tests.contract.samples import NOW, entry, record
from tests.engines import views

POLICE = "荣成市公安局交通警察大队"
COURT = "荣成市人民法院"
REFS = [
    "荣公交罚〔2026〕第0017号",
    "（2026）鲁1082执123号",
    "鲁交罚 2026 第 0018 号",  # inner spaces are allowed
    "𠀀𠀁〔2026〕1号",  # characters beyond the BMP: four bytes in UTF-8
    "Préfecture-2026/17",  # NFC: é is one code point
]


def written(store: LedgerStore) -> list[Record]:
    records = [record(ref, source=POLICE, case_ref=f"案{ref}") for ref in REFS]
    assert store.append_records(records, recorded_at=NOW) == [Outcome.CREATED] * len(REFS)
    return records


def test_references_come_back_as_written(store: LedgerStore) -> None:
    records = written(store)
    for r in records:
        held = store.record(record_id_for(POLICE, r.source_ref))
        assert held is not None
        assert (held.record.source, held.record.source_ref, held.record.case_ref) == (
            POLICE,
            r.source_ref,
            f"案{r.source_ref}",
        )
        assert held.record == r
        assert held.record.record_id == r.record_id
    assert {lr.record.source_ref for lr in store.records_of("p-1")} == set(REFS)


def test_a_replay_is_present_and_other_content_under_the_key_a_conflict(
    store: LedgerStore,
) -> None:
    records = written(store)
    again = store.append_records(records, recorded_at=NOW)
    changed = record(REFS[0], source=POLICE, case_ref=f"案{REFS[0]}", severity=4)
    assert again == [Outcome.PRESENT] * len(REFS)
    assert store.append_records([changed], recorded_at=NOW) == [Outcome.CONFLICT]
    assert store.count_records() == len(REFS)


def test_entries_refer_to_them_by_id(store: LedgerStore) -> None:
    records = written(store)
    store.append_entry(entry("withdrawal", records[1], 1, reason="撤回：当事人有误"))
    [withdrawal] = store.entries_of(records[1].record_id)
    assert withdrawal.data == {"reason": "撤回：当事人有误"}
    held = store.record(records[1].record_id)
    assert held is not None
    assert held.status.withdrawn


@pytest.mark.parametrize("shape", ["export", "ingest"])
def test_an_engine_hashes_and_joins_them_as_the_online_path_does(
    store: LedgerStore, shape: str
) -> None:
    """ "ingest" has no record_id column: the engine derives it from source and source_ref in
    SQL (md5 over their UTF-8 bytes), which must give the id the store keys the record by."""
    for version in ("v1", "v2"):
        adopt_pack_file(
            store, packs_dir() / "rongcheng" / f"{version}.yaml", now=NOW, actor="cli:test"
        )
    case = "（2026）鲁1082执123号"
    records = [
        record(REFS[0], who="p-1", source=POLICE, case_ref="案一", severity=2),
        # A second report of the same case merges with the first (SPEC §4.4).
        record(REFS[3], who="p-1", source=POLICE, case_ref="案一", severity=4),
        record(
            "（2026）鲁1082执123号-判",
            who="p-2",
            source=COURT,
            type_="court.judgment_default",
            case_ref=case,
            amount=5000.0,
        ),
        # Its repair: same subject and case_ref, so the list entry ends on its date.
        record(
            "（2026）鲁1082执123号-履",
            who="p-2",
            source=COURT,
            type_="court.judgment_satisfied",
            on=date(2026, 6, 1),
            case_ref=case,
            evidence=None,
        ),
    ]
    store.append_records(records, recorded_at=NOW)
    rulebook = current_rulebook(store)
    day = date(2026, 5, 1)
    exported, entries = store.export()
    source = exported if shape == "export" else views.records_in("ingest", records)
    result = DuckDbEngine(threads=1).recompute(
        LedgerSource(source, entries), rulebook, day, detail=True
    )
    ledger = {s: store.records_of(s) for s in ("p-1", "p-2")}
    expected = views.online(rulebook, ledger, day)
    assert views.engine(result) == expected
    # The repair occurs after the day, yet the ledger knows it: it ends the entry (SPEC §4.7).
    assert set(expected["verdicts"]) == {r.record_id for r in records[:3]}
    assert expected["verdicts"][records[0].record_id][0] == "merged"
    [(subject, _, admitted, _, until)] = expected["entries"]
    assert (subject, admitted, until) == ("p-2", records[2].record_id, date(2026, 6, 1))
