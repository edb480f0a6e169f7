"""Materialised scores, on every store: replaced by a run, forgotten when the ledger changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from credo.adapters.stores.protocol import LedgerStore, ListMark, ScoreRun, StoredScore
from tests.contract.samples import NOW, entry, record

DAY = date(2026, 11, 22)


def score(sid: str, points: int = 995, until: date | None = date(2027, 3, 1)) -> StoredScore:
    marks = (ListMark("defaulters", "r1", date(2026, 1, 1), date(2028, 1, 1)),)
    return StoredScore(sid, "town", 1, "sha256:x", DAY, points, "A", marks, until, NOW)


def run(subjects: int) -> ScoreRun:
    return ScoreRun(DAY, "duckdb", {"town": (1, "sha256:x")}, subjects, 10, 1.5, NOW)


def test_a_run_replaces_every_score(store: LedgerStore) -> None:
    first = store.replace_scores(run(2), [score("p-1"), score("p-2")])
    second = store.replace_scores(run(1), [score("p-3", 990)])
    assert second != first
    assert store.stored_score("p-1") is None
    got = store.stored_score("p-3")
    assert got is not None
    assert (got.score, got.lists, got.valid_until, got.run_id) == (
        990,
        score("p-3").lists,
        date(2027, 3, 1),
        second,
    )
    last = store.last_run()
    assert last is not None
    assert (last.subjects, last.versions) == (1, {"town": (1, "sha256:x")})


def test_a_stored_score_holds_until_it_may_change() -> None:
    s = score("p-1")
    assert s.holds_on(DAY)
    assert s.holds_on(date(2027, 2, 28))
    assert not s.holds_on(date(2027, 3, 1))
    assert not s.holds_on(date(2026, 11, 21))
    assert score("p-1", until=None).holds_on(date(2099, 1, 1))


def test_a_new_record_or_entry_forgets_the_subjects_score(store: LedgerStore) -> None:
    r1, r2 = record("TP-1", who="p-1"), record("TP-2", who="p-2")
    store.append_records([r1, r2], recorded_at=NOW)
    store.replace_scores(run(2), [score("p-1"), score("p-2")])
    store.append_records([record("TP-3", who="p-1")], recorded_at=NOW)
    assert store.stored_score("p-1") is None
    assert store.stored_score("p-2") is not None
    store.append_records([r2], recorded_at=NOW)  # a replay changes nothing
    assert store.stored_score("p-2") is not None
    store.append_entry(entry("withdrawal", r2, 1))
    assert store.stored_score("p-2") is None
    store.put_score(score("p-2", 1000))
    stored = store.stored_score("p-2")
    assert stored is not None
    assert stored.score == 1000


def test_a_score_judged_on_a_smaller_ledger_never_replaces_a_newer_one(
    store: LedgerStore,
) -> None:
    store.put_score(replace(score("p-1", 980), ledger_size=5))
    store.put_score(replace(score("p-1", 990), ledger_size=4))  # a slower, older request
    held = store.stored_score("p-1")
    assert held is not None
    assert (held.score, held.ledger_size) == (980, 5)
    store.put_score(replace(score("p-1", 970), ledger_size=5))  # the same ledger, again
    store.put_score(replace(score("p-1", 960), ledger_size=6))
    held = store.stored_score("p-1")
    assert held is not None
    assert (held.score, held.ledger_size) == (960, 6)
    store.put_score(score("p-1", 950))  # size unknown: a plain replacement
    held = store.stored_score("p-1")
    assert held is not None
    assert held.score == 950


def test_scores_put_together_keep_each_subjects_newest(store: LedgerStore) -> None:
    store.put_score(replace(score("p-1", 980), ledger_size=5))
    store.put_scores(
        [
            replace(score("p-1", 990), ledger_size=4),  # older than the one held: kept out
            replace(score("p-2", 970), ledger_size=2),
            score("p-3", 960),
        ]
    )
    held = {s: store.stored_score(s) for s in ("p-1", "p-2", "p-3")}
    assert {s: h.score if h else None for s, h in held.items()} == {
        "p-1": 980,
        "p-2": 970,
        "p-3": 960,
    }
    store.put_scores([])
