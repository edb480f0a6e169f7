"""Every single-use step happens once, on every store, with 30 threads racing to take it: one
withdrawal per record, one filing per objection id, one decision per objection (a moot closing
is a decision), and nothing but notices after a withdrawal. The store refuses the losers in
the transaction that tries them, so nothing they carried is written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.ledger.entries import Entry, StepTaken
from credo.domain.ledger.records import Record
from tests.contract.samples import entry, record

pytestmark = pytest.mark.reliability

RACERS = 30


def race(store: LedgerStore, batches: Callable[[int], list[Entry]]) -> list[int]:
    """Append `batches(i)` from `RACERS` threads released together; the indexes that won."""
    start = threading.Barrier(RACERS)

    def one(i: int) -> int | None:
        batch = batches(i)
        start.wait()
        try:
            store.append_entries(batch)
        except StepTaken:
            return None
        return i

    with ThreadPoolExecutor(RACERS) as pool:
        return [i for i in pool.map(one, range(RACERS)) if i is not None]


def notice(rec: Record, i: int) -> Entry:
    return entry("notice", rec, 0, about="decision", n=i)


def test_one_decision_per_objection(store: LedgerStore) -> None:
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)
    store.append_entry(entry("objection", a, 1, objection_id="o-1"))
    outcomes = ("upheld", "overturned")
    won = race(
        store,
        lambda i: [
            entry("decision", a, 2, objection_id="o-1", outcome=outcomes[i % 2]),
            notice(a, i),
        ],
    )
    assert len(won) == 1
    kept = store.entries_of(a.record_id)
    decisions = [e for e in kept if e.kind == "decision"]
    assert [d.data["outcome"] for d in decisions] == [outcomes[won[0] % 2]]
    # the winner's notice went in with it, and no loser's did
    assert [e.data["n"] for e in kept if e.kind == "notice"] == won
    overturned = outcomes[won[0] % 2] == "overturned"
    status = store.record(a.record_id)
    assert status is not None
    assert status.status.overturned is overturned
    assert not status.status.disputed


def test_one_filing_per_objection_id(store: LedgerStore) -> None:
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)
    won = race(store, lambda i: [entry("objection", a, 1, objection_id="o-1", n=i)])
    assert len(won) == 1
    kept = [e for e in store.entries_of(a.record_id) if e.kind == "objection"]
    assert [e.data["n"] for e in kept] == won
    assert len(store.open_objections()) == 1


def test_one_withdrawal_per_record(store: LedgerStore) -> None:
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)
    won = race(store, lambda i: [entry("withdrawal", a, 1, reason=f"take {i}")])
    assert len(won) == 1
    kept = [e for e in store.entries_of(a.record_id) if e.kind == "withdrawal"]
    assert [e.data["reason"] for e in kept] == [f"take {won[0]}"]


def test_withdrawal_and_decisions_race_to_close_one_objection(store: LedgerStore) -> None:
    """A withdrawal closing an objection as moot and reviewers deciding it: one closing wins."""
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)
    store.append_entry(entry("objection", a, 1, objection_id="o-1"))

    def batch(i: int) -> list[Entry]:
        if i % 2:
            return [entry("decision", a, 2, objection_id="o-1", outcome="upheld")]
        return [
            entry("withdrawal", a, 2, reason=str(i)),
            entry("decision", a, 2, objection_id="o-1", outcome="moot"),
        ]

    won = race(store, batch)
    assert len(won) == 1
    decisions = [e for e in store.entries_of(a.record_id) if e.kind == "decision"]
    assert len(decisions) == 1


def test_nothing_but_notices_after_a_withdrawal(store: LedgerStore) -> None:
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)
    store.append_entry(entry("withdrawal", a, 1, reason="wrong subject"))
    with pytest.raises(StepTaken):
        store.append_entry(entry("objection", a, 2, objection_id="o-1"))
    store.append_entry(notice(a, 0))
    assert [e.kind for e in store.entries_of(a.record_id)] == ["withdrawal", "notice"]


def test_objections_and_a_withdrawal_race(store: LedgerStore) -> None:
    """Filings against a withdrawal that closes none: the first to commit wins. A withdrawal
    that would leave an objection open is refused (it reads again and closes it as moot), and
    an objection after a withdrawal is refused."""
    a = record("TP-1")
    store.append_records([a], recorded_at=entry("notice", a, 0).at)

    def batch(i: int) -> list[Entry]:
        if i == 0:
            return [entry("withdrawal", a, 2, reason="wrong subject")]
        return [entry("objection", a, 2, objection_id="o-1")]

    won = race(store, batch)
    assert len(won) == 1
    kinds = [e.kind for e in store.entries_of(a.record_id)]
    assert kinds == (["withdrawal"] if won == [0] else ["objection"])
