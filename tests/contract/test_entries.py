"""Entries in batches, on every store: in order, all or nothing, found again by kind and by
subject, and the ledger's size counting them."""

from __future__ import annotations

import pytest

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import UnknownRecord
from credo.domain.ledger.entries import Entry
from tests.contract.samples import NOW, entry, record


@pytest.mark.parametrize("n", [3, 40])  # a few by parameters, many by a bulk path
def test_a_batch_of_entries_keeps_its_order(store: LedgerStore, n: int) -> None:
    a, b = record("TP-1", who="p-1"), record("TP-2", who="p-2")
    store.append_records([a, b], recorded_at=NOW)
    batch = [
        Entry("notice", (a if i % 2 else b).record_id, "credo", NOW, {"n": i}) for i in range(n)
    ]
    seqs = store.append_entries(batch)
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == n
    found = store.entries_of_kind(["notice"])
    assert [e.data["n"] for e in found] == list(range(n))
    assert [e.seq for e in found] == seqs
    mine = store.entries_of_kind(["notice"], subject_id="p-1")
    assert [e.data["n"] for e in mine] == [i for i in range(n) if i % 2]
    assert store.entries_of_kind(["notice"], after=seqs[-2]) == found[-1:]
    assert store.ledger_size("p-1") == 1 + len(mine)


@pytest.mark.parametrize("n", [3, 40])
def test_a_batch_naming_an_unknown_record_writes_nothing(store: LedgerStore, n: int) -> None:
    a = record("TP-1")
    store.append_records([a], recorded_at=NOW)
    batch = [entry("notice", a, 1) for _ in range(n - 1)]
    batch.append(Entry("notice", "r" + "0" * 24, "credo", NOW, {}))
    with pytest.raises(UnknownRecord):
        store.append_entries(batch)
    assert store.entries_of_kind(["notice"]) == []


def test_open_objections_are_those_no_decision_names(store: LedgerStore) -> None:
    a, b = record("TP-1"), record("TP-2")
    store.append_records([a, b], recorded_at=NOW)
    store.append_entry(entry("objection", a, 1, objection_id="o-1"))
    store.append_entry(entry("objection", b, 2, objection_id="o-2"))
    store.append_entry(entry("decision", a, 3, objection_id="o-1", outcome="upheld"))
    store.append_entry(entry("objection", a, 4, objection_id="o-3"))
    assert [e.data["objection_id"] for e in store.open_objections()] == ["o-2", "o-3"]


@pytest.mark.parametrize("n", [3, 40])  # a few by parameters, many by a bulk path
def test_notices_go_in_with_the_records_that_owe_them(store: LedgerStore, n: int) -> None:
    held = record("TP-0", who="p-0")
    store.append_records([held], recorded_at=NOW)
    fresh = [record(f"TP-{i}", who=f"p-{i}") for i in range(1, n + 1)]
    owed = [Entry("notice", r.record_id, "credo", NOW, {"n": i}) for i, r in enumerate(fresh)]
    replayed = Entry("notice", held.record_id, "credo", NOW, {"n": -1})
    store.append_records([held, *fresh], recorded_at=NOW, notices=[replayed, *owed])
    # The record already held owes nothing again; each new one has its notice, in order.
    assert [e.data["n"] for e in store.entries_of_kind(["notice"])] == list(range(n))
    assert store.entries_of_kind(["notice"], subject_id="p-0") == []
    store.append_records(fresh, recorded_at=NOW, notices=owed)  # a replay: nothing owed
    assert len(store.entries_of_kind(["notice"])) == n


def test_ledgers_read_together_are_each_subjects_records_and_size(store: LedgerStore) -> None:
    a, b, c = record("TP-1", who="p-1"), record("TP-2", who="p-1"), record("TP-3", who="p-2")
    store.append_records([a, b, c], recorded_at=NOW)
    store.append_entries([entry("notice", a, 1), entry("withdrawal", c, 2)])
    found = store.ledgers_of(["p-1", "p-2", "nobody"])
    assert sorted(found) == ["p-1", "p-2"]
    for subject_id, (size, records) in found.items():
        assert size == store.ledger_size(subject_id)
        assert records == store.records_of(subject_id)
    assert found["p-2"][1][0].status.withdrawn
    assert store.ledgers_of([]) == {}
