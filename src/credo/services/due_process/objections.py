"""Objections and their review: a subject contests a record within the window its rulebook
gives, the record is suspended or kept meanwhile as the rulebook says, and a reviewer decides
(a withdrawal closes the record's open objections as moot, `services.due_process.withdrawals`).
Each step is a ledger entry and takes effect at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from credo.adapters.stores.feeds import FeedStore
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.due_process.notices import decision_notice, objection_deadline
from credo.domain.due_process.objections import (
    Objection,
    ObjectionRefused,
    ObjectionWindow,
    Ruling,
    State,
    UnknownObjection,
    decision_entry,
    objection_entry,
    objections_from,
    refuse_filing,
    refuse_if_decided,
    refuse_if_open,
    refuse_if_withdrawn,
)
from credo.domain.errors import UnknownRecord
from credo.domain.ledger.entries import Entry, StepTaken
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.packs import ObjectionSpec
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import ObjectionWindows
from credo.services.rating.realtime import notice_entry, settle


def objection_window(
    store: LedgerStore,
    rulebook: Rulebook,
    lr: LedgerRecord,
    entries: Sequence[Entry],
    *,
    recorded_at: Callable[[str], datetime | None] | None = None,
) -> ObjectionWindow:
    """The window runs from the record's first notice among its `entries` (a notice about the
    record, not the answer to an objection); a record that needed none (it costs no points and
    lists no one) is open to objection from the day it was recorded. It lasts `window_days` of
    the record's own pack, by the version in force on the day it opened (SPEC §4.10)."""
    record_id = lr.record.record_id
    notices = [e for e in entries if e.kind == "notice" and e.data.get("about") != "decision"]
    if notices:
        opened, noticed = min(notices, key=lambda e: e.seq or 0).at.date(), True
    else:
        # `recorded_at`: when the caller read every record's recording time at once.
        recorded = (recorded_at or store.recorded_at)(record_id)
        opened, noticed = (recorded.date() if recorded else lr.record.occurred_at), False
    return ObjectionWindow(opened, objection_deadline(rulebook, lr.record, opened), noticed)


def objection_windows(store: LedgerStore, rulebook: Rulebook) -> ObjectionWindows:
    """`objection_window` by record id, for a check's reasons: read from the ledger when a
    reason asks, once per record, so a check reads only the records its triggers name."""
    known: dict[str, ObjectionWindow] = {}

    def window(record_id: str) -> ObjectionWindow:
        if record_id not in known:
            lr = store.record(record_id)
            if lr is None:
                raise UnknownRecord(f"no record {record_id!r} in the ledger")
            entries = store.entries_of(record_id)
            known[record_id] = objection_window(store, rulebook, lr, entries)
        return known[record_id]

    return window


def file_objection(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    *,
    subject_id: str,
    record_id: str,
    reason: str,
    actor: str,
    today: date,
    now: datetime,
) -> Objection:
    """File an objection by (or for) `subject_id` against one of its own records. Another
    subject's record is answered as a record that does not exist."""
    lr = store.record(record_id)
    if lr is None or lr.record.subject.id != subject_id:
        raise UnknownRecord(f"no record {record_id!r} about subject {subject_id!r}")
    entries = store.entries_of(record_id)
    refuse_if_withdrawn(record_id, entries, "objection")
    existing = objections_from(entries)
    window = objection_window(store, rulebook, lr, entries)
    refuse_filing(record_id, existing, today=today, window=window)
    review_days = _objection_spec(rulebook, lr.record, today).review_days
    # The id follows from the record and the count before it: two filings racing each other
    # get the same id, and the store takes the first and refuses the other (`StepTaken`).
    objection_id = f"{record_id}-o{len(existing) + 1}"
    entry = objection_entry(
        objection_id, record_id, subject_id, reason, actor=actor, at=now, review_days=review_days
    )
    try:
        store.append_entry(entry)
    except StepTaken as e:
        raise _what_stands(store, record_id, "objection", e) from e
    settle(store, feeds, rulebook, {subject_id}, today=today, now=now)
    return _found(objections_from(store.entries_of(record_id)), objection_id)


def decide_objection(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    *,
    objection_id: str,
    outcome: Ruling,
    note: str,
    reviewer: str,
    today: date,
    now: datetime,
) -> Objection:
    """Decide an open objection. Overturned, the record stops counting at every date; upheld,
    it counts again. The subject is told either way; a decision is final, and a withdrawn
    record takes none (its objections were closed as moot)."""
    record_id = _record_of(objection_id)
    entries = store.entries_of(record_id) if record_id else []
    objection = _found(objections_from(entries), objection_id)
    refuse_if_withdrawn(record_id, entries, "decision")
    entry = decision_entry(objection, outcome, note, by=reviewer, at=now)
    lr = store.record(objection.record_id)
    assert lr is not None  # an objection refers to a record, and records are never deleted
    notice = decision_notice(lr.record, objection_id, outcome, note, today)
    try:
        store.append_entries([entry, notice_entry(notice, now)])
    except StepTaken as e:
        raise _what_stands(store, record_id, "decision", e, objection_id) from e
    settle(store, feeds, rulebook, {objection.subject_id}, today=today, now=now)
    return objection_by_id(store, objection_id)


def _what_stands(
    store: LedgerStore, record_id: str, step: str, lost: StepTaken, objection_id: str = ""
) -> Exception:
    """The refusal for a step that lost a race, naming what the winner wrote: read again, the
    ledger refuses it as it would have had the winner come first."""
    entries = store.entries_of(record_id)
    try:
        refuse_if_withdrawn(record_id, entries, step)
        found = objections_from(entries)
        if objection_id:
            refuse_if_decided(_found(found, objection_id))
        else:
            refuse_if_open(record_id, found)
    except ObjectionRefused as refusal:
        return refusal
    return lost


def objection_by_id(store: LedgerStore, objection_id: str) -> Objection:
    record_id = _record_of(objection_id)
    found = objections_from(store.entries_of(record_id)) if record_id else []
    return _found(found, objection_id)


def _record_of(objection_id: str) -> str:
    """The record an objection id names (`RECORD_ID-oN`); empty if it names none."""
    return objection_id.rpartition("-o")[0]


def objection_queue(
    store: LedgerStore, *, state: State | None, today: date, overdue_only: bool = False
) -> list[Objection]:
    """Objections in `state` (all when None), oldest first; `overdue_only` keeps the open
    ones whose review period has passed."""
    if state == "open":
        found = objections_from(store.open_objections())
    else:
        found = objections_from(store.entries_of_kind(["objection", "decision"]))
    chosen = [
        o
        for o in found
        if (state is None or o.state == state) and (not overdue_only or o.overdue(today))
    ]
    return sorted(chosen, key=lambda o: (o.filed_at, o.seq or 0))


def objections_of(store: LedgerStore, subject_id: str) -> list[Objection]:
    """A subject's own objections, oldest first."""
    found = store.entries_of_kind(["objection", "decision"], subject_id=subject_id)
    return sorted(objections_from(found), key=lambda o: (o.filed_at, o.seq or 0))


def _found(objections: list[Objection], objection_id: str) -> Objection:
    for o in objections:
        if o.objection_id == objection_id:
            return o
    raise UnknownObjection(f"no objection {objection_id!r}")


def _objection_spec(rulebook: Rulebook, record: Record, on: date) -> ObjectionSpec:
    """The objection procedure of the record's own pack, as in force on `on`."""
    history = rulebook.record_pack(record)
    version = history.in_force(on) if history else None
    return version.pack.objection if version else ObjectionSpec()
