"""Writing to the ledger: packs, appends and their idempotency, on every store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import overload

import pytest

from credo.adapters.stores.protocol import LedgerStore, Outcome
from credo.domain.errors import PackConflict
from credo.domain.ledger.records import Record
from tests.contract.conftest import StoreFactory
from tests.contract.samples import NOW, pack, record, subject

CREATED, PRESENT, CONFLICT = Outcome.CREATED, Outcome.PRESENT, Outcome.CONFLICT


def test_migrate_again_changes_nothing(store: LedgerStore) -> None:
    store.append_records([record("TP-1")], recorded_at=NOW)
    store.migrate()
    store.migrate()
    assert store.count_records() == 1


def test_a_new_pack_is_adopted_and_listed(store: LedgerStore) -> None:
    assert store.adopt_pack(pack(2)) is True
    assert store.adopt_pack(pack(1, checksum="d" * 64)) is True
    assert [(p.pack_id, p.version) for p in store.packs()] == [("town", 1), ("town", 2)]
    assert store.packs()[1] == pack(2)


def test_the_same_pack_again_is_not_new(store: LedgerStore) -> None:
    store.adopt_pack(pack(1))
    assert store.adopt_pack(pack(1)) is False
    assert store.packs() == [pack(1)]


def test_other_content_under_an_adopted_version_is_refused(store: LedgerStore) -> None:
    store.adopt_pack(pack(1))
    with pytest.raises(PackConflict, match="town version 1"):
        store.adopt_pack(pack(1, checksum="e" * 64, text="pack: town\n# changed\n"))
    assert store.packs() == [pack(1)]


def test_append_creates_then_reports_a_replay_as_present(store: LedgerStore) -> None:
    batch = [record("TP-1"), record("TP-2", who="p-2")]
    assert store.append_records(batch, recorded_at=NOW) == [CREATED, CREATED]
    assert store.append_records(batch, recorded_at=NOW) == [PRESENT, PRESENT]
    assert store.count_records() == 2


def test_an_empty_batch_has_no_outcomes(store: LedgerStore) -> None:
    assert store.append_records([], recorded_at=NOW) == []


def test_a_conflict_writes_nothing(store: LedgerStore) -> None:
    original = record("TP-1", severity=2)
    store.append_records([original], recorded_at=NOW)
    other_subject = record("TP-1", who=subject("p-new"))
    outcomes = store.append_records(
        [record("TP-1", severity=4), other_subject, record("TP-2")], recorded_at=NOW
    )
    assert outcomes == [CONFLICT, CONFLICT, CREATED]
    held = store.record(original.record_id)
    assert held is not None
    assert held.record.attributes == {"severity": 2}
    assert store.subjects(["p-new"]) == {}
    assert store.count_records() == 2


def test_a_batch_repeating_a_key_is_judged_in_order(store: LedgerStore) -> None:
    first, same, different = record("TP-1"), record("TP-1"), record("TP-1", severity=5)
    outcomes = store.append_records([first, same, different, same], recorded_at=NOW)
    assert outcomes == [CREATED, PRESENT, CONFLICT, PRESENT]
    assert store.count_records() == 1


def test_a_repeated_key_after_a_conflict_is_judged_against_the_ledger(
    store: LedgerStore,
) -> None:
    held, other = record("TP-1"), record("TP-1", severity=5)
    store.append_records([held], recorded_at=NOW)
    assert store.append_records([other, held, other], recorded_at=NOW) == [
        CONFLICT,
        PRESENT,
        CONFLICT,
    ]


@pytest.mark.parametrize("opposite", [False, True], ids=["same-order", "opposite-order"])
def test_two_writers_of_the_same_records_get_one_created_each(
    new_store: StoreFactory, opposite: bool
) -> None:
    stores = [new_store(), new_store()]
    batch = [record(f"TP-{i}", who=f"p-{i % 7}") for i in range(200)]
    batches = [batch, batch[::-1] if opposite else batch]
    start = threading.Barrier(2)
    results: list[list[Outcome]] = [[], []]

    def append(i: int) -> None:
        start.wait()
        results[i] = stores[i].append_records(batches[i], recorded_at=NOW)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if opposite:
        results[1].reverse()
    for pair in zip(*results, strict=True):
        assert set(pair) == {CREATED, PRESENT}
    assert stores[0].count_records() == 200


class _Failing(Sequence[Record]):
    """A batch that breaks while it is being read, after some good records."""

    def __init__(self, good: list[Record]) -> None:
        self.good = good

    def __len__(self) -> int:
        return len(self.good) + 1

    @overload
    def __getitem__(self, i: int) -> Record: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Record]: ...
    def __getitem__(self, i: int | slice) -> Record | Sequence[Record]:
        if isinstance(i, slice):
            return list(self)[i]
        if i == len(self.good):
            raise RuntimeError("the source broke")
        return self.good[i]

    def __iter__(self) -> Iterator[Record]:
        yield from self.good
        raise RuntimeError("the source broke")


def test_a_batch_that_raises_leaves_nothing_behind(store: LedgerStore) -> None:
    with pytest.raises(RuntimeError, match="source broke"):
        store.append_records(_Failing([record("TP-1"), record("TP-2", who="p-2")]), recorded_at=NOW)
    assert store.count_records() == 0
    assert store.subjects(["p-1", "p-2"]) == {}


def test_a_record_that_cannot_be_stored_fails_the_whole_batch(store: LedgerStore) -> None:
    broken = replace(record("TP-2"), attributes={"severity": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.append_records([record("TP-1"), broken], recorded_at=NOW)
    assert store.count_records() == 0


def test_dates_and_keys_survive_the_round_trip(store: LedgerStore) -> None:
    original = record("TP:1/a.b", on=date(1999, 12, 31), case_ref="RC-2026-17", severity=3)
    store.append_records([original], recorded_at=NOW)
    held = store.record(original.record_id)
    assert held is not None
    assert held.record == original
    assert held.record.fingerprint() == original.fingerprint()
