"""Reading the ledger back: records with their status, subjects, entries and full scans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import UnknownRecord
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import RecordStatus
from tests.contract.samples import NOW, entry, record, subject


def test_records_of_a_subject_come_oldest_first(store: LedgerStore) -> None:
    late, early, same_day = (
        record("TP-1", on=date(2026, 5, 1)),
        record("TP-2", on=date(2026, 1, 1)),
        record("TP-3", on=date(2026, 5, 1)),
    )
    store.append_records([late, record("X-1", who="p-2"), early], recorded_at=NOW)
    store.append_records([same_day], recorded_at=NOW)
    found = [lr.record.source_ref for lr in store.records_of("p-1")]
    assert found == ["TP-2", "TP-1", "TP-3"]
    assert store.records_of("nobody") == []


def test_records_of_one_day_and_one_batch_come_in_record_id_order(store: LedgerStore) -> None:
    batch = [record(f"TP-{i}") for i in range(8)]
    store.append_records(batch, recorded_at=NOW)
    found = [lr.record.record_id for lr in store.records_of("p-1")]
    assert found == sorted(r.record_id for r in batch)


def test_a_record_reads_back_with_its_own_region(store: LedgerStore) -> None:
    """Subjects move (SPEC §1): each record keeps where its subject was when the act occurred,
    while the subject is known by its first region."""
    store.append_records([record("TP-1", who=subject(region="CN-SD"))], recorded_at=NOW)
    store.append_records([record("TP-2", who=subject(region="CN-BJ"))], recorded_at=NOW)
    regions = {lr.record.source_ref: lr.record.subject.region for lr in store.records_of("p-1")}
    assert regions == {"TP-1": "CN-SD", "TP-2": "CN-BJ"}
    assert store.subjects(["p-1"])["p-1"].region == "CN-SD"
    assert store.record(record("TP-2").record_id).record.subject.region == "CN-BJ"  # type: ignore[union-attr]


def test_subjects_are_known_as_first_recorded(store: LedgerStore) -> None:
    org = subject("o-1", kind="organisation", region="CN")
    store.append_records([record("TP-1", who=org), record("TP-2")], recorded_at=NOW)
    assert store.subjects(["o-1", "p-1", "nobody"]) == {"o-1": org, "p-1": subject("p-1")}
    assert store.subjects([]) == {}
    assert store.subjects(iter(["o-1"])) == {"o-1": org}


def test_an_unknown_record_is_none(store: LedgerStore) -> None:
    assert store.record("r-nothing") is None


def test_count_records(store: LedgerStore) -> None:
    assert store.count_records() == 0
    store.append_records([record(f"TP-{i}") for i in range(5)], recorded_at=NOW)
    assert store.count_records() == 5


def _status(store: LedgerStore, ref: str) -> RecordStatus:
    (held,) = [lr for lr in store.records_of("p-1") if lr.record.source_ref == ref]
    single = store.record(held.record.record_id)
    assert single is not None
    assert single.status == held.status
    return held.status


def test_status_follows_the_entries(store: LedgerStore) -> None:
    refs = ["withdrawn", "open", "overturned", "upheld", "untouched"]
    recs = {ref: record(ref) for ref in refs}
    store.append_records(list(recs.values()), recorded_at=NOW)
    store.append_entry(entry("withdrawal", recs["withdrawn"], 1))
    store.append_entry(entry("objection", recs["open"], 2, objection_id="o-1"))
    store.append_entry(entry("objection", recs["overturned"], 3, objection_id="o-2"))
    store.append_entry(
        entry("decision", recs["overturned"], 4, objection_id="o-2", outcome="overturned")
    )
    store.append_entry(entry("objection", recs["upheld"], 5, objection_id="o-3"))
    store.append_entry(entry("decision", recs["upheld"], 6, objection_id="o-3", outcome="upheld"))

    assert _status(store, "withdrawn") == RecordStatus(withdrawn=True)
    assert _status(store, "open") == RecordStatus(disputed=True)
    assert _status(store, "overturned") == RecordStatus(overturned=True)
    assert _status(store, "upheld") == RecordStatus()
    assert _status(store, "untouched") == RecordStatus()


def test_entries_are_kept_in_order_with_their_data(store: LedgerStore) -> None:
    rec = record("TP-1")
    store.append_records([rec], recorded_at=NOW)
    east = timezone(timedelta(hours=8))
    first = store.append_entry(entry("objection", rec, 1, objection_id="o-1", reason="not me"))
    objected = Entry("decision", rec.record_id, "rev", datetime(2026, 12, 1, 8, tzinfo=east), {})
    second = store.append_entry(objected)
    assert second > first
    found = store.entries_of(rec.record_id)
    assert [e.seq for e in found] == [first, second]
    assert found[0].data == {"objection_id": "o-1", "reason": "not me"}
    assert found[1].at == datetime(2026, 12, 1, 0, tzinfo=UTC)
    assert store.entries_of("r-other") == []


def test_an_entry_must_refer_to_a_record(store: LedgerStore) -> None:
    with pytest.raises(UnknownRecord):
        store.append_entry(entry("withdrawal", record("never-sent"), 1))


def test_a_scan_covers_everything_and_never_splits_a_subject(store: LedgerStore) -> None:
    sizes = {f"p-{i:02d}": (i * 7) % 11 + 1 for i in range(30)}  # 1..11 records each
    sizes["p-big"] = 23
    batch = [record(f"{sid}-{n}", who=sid) for sid, count in sizes.items() for n in range(count)]
    store.append_records(batch, recorded_at=NOW)
    withdrawn = batch[5]
    store.append_entry(entry("withdrawal", withdrawn, 1))

    seen: dict[str, int] = {}
    last_subject = ""
    for page in store.iter_records(batch_size=10):
        assert page
        subjects_here = [lr.record.subject.id for lr in page]
        assert len(page) <= 10 or len(set(subjects_here)) == 1
        assert subjects_here == sorted(subjects_here)
        assert subjects_here[0] > last_subject  # no subject comes back in a later page
        last_subject = subjects_here[-1]
        for lr in page:
            seen[lr.record.source_ref] = seen.get(lr.record.source_ref, 0) + 1
            assert lr.status.withdrawn == (lr.record.record_id == withdrawn.record_id)
        for sid in set(subjects_here):
            assert subjects_here.count(sid) == sizes[sid]
    assert seen == {r.source_ref: 1 for r in batch}


def test_a_scan_of_an_empty_ledger_yields_nothing(store: LedgerStore) -> None:
    assert list(store.iter_records()) == []


def test_a_scan_gives_each_subject_oldest_first(store: LedgerStore) -> None:
    days = [date(2026, 1, d) for d in (9, 3, 5, 1)]
    store.append_records([record(f"TP-{d.day}", on=d) for d in days], recorded_at=NOW)
    (page,) = list(store.iter_records(batch_size=100))
    assert [lr.record.occurred_at for lr in page] == sorted(days)
