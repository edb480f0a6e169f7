"""Materialised scores: kept current one subject at a time (real time) and read back when they
still hold, falling back to the online path when they do not. Both paths give the same answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from credo.adapters.stores.protocol import LedgerStore, ListMark, StoredScore
from credo.domain.explanation import change_dates
from credo.domain.records import LedgerRecord
from credo.domain.rulebook import PackHistory, Rulebook
from credo.domain.scoring import Assessment, assess
from credo.domain.subjects import governs
from credo.services.rating import subject_ledger
from credo.services.rulebook import current_rulebook


def materialise(
    a: Assessment, valid_until: date | None, now: datetime, ledger_size: int | None = None
) -> StoredScore:
    marks = tuple(ListMark(e.list_id, e.record.record_id, e.since, e.until) for e in a.lists)
    return StoredScore(
        a.subject_id,
        a.version.id,
        a.version.version,
        a.version.checksum,
        a.as_of,
        a.score,
        a.tier,
        marks,
        valid_until,
        now,
        ledger_size=ledger_size,
    )


def store_assessment(
    store: LedgerStore,
    history: PackHistory,
    records: Sequence[LedgerRecord],
    a: Assessment,
    *,
    today: date,
    now: datetime,
    size: int | None = None,
) -> StoredScore:
    """Store `a`, the assessment of `records` (the subject's ledger as read, `size` records
    and entries if known), with the first day it may change by time alone."""
    later = change_dates(history, records, today) + [e.until for e in a.lists]
    stored = materialise(a, min(later, default=None), now, size)
    store.put_score(stored)
    return stored


def stored_if_current(
    store: LedgerStore, subject_id: str, as_of: date, rulebook: Rulebook | None = None
) -> StoredScore | None:
    """The stored score, if it holds on `as_of` under the pack version now in force and no
    other pack could now govern its subject."""
    stored = store.stored_score(subject_id)
    if stored is None or not stored.holds_on(as_of):
        return None
    rulebook = rulebook or current_rulebook(store)
    history = rulebook.packs.get(stored.pack_id)
    if history is None or may_be_overruled(rulebook, history):
        return None
    version = history.in_force(as_of)
    if version is None or (version.version, version.checksum) != (stored.version, stored.checksum):
        return None
    return stored


def may_be_overruled(rulebook: Rulebook, history: PackHistory) -> bool:
    """Whether another pack could govern some of the subjects `history` governs: one for a
    kind it covers, in a jurisdiction within its own (the nearer jurisdiction wins, SPEC §1).
    A stored score does not say where its subject is, so it is then not trusted."""
    return any(
        other is not history
        and other.subject_kinds & history.subject_kinds
        and governs(history.jurisdiction, other.jurisdiction)
        for other in rulebook.packs.values()
    )


@dataclass(frozen=True, slots=True)
class ScoreView:
    subject_id: str
    as_of: date
    pack: str
    version: int
    checksum: str
    score: int
    tier: str
    stored: bool  # read from the materialised scores rather than computed now


def current_score(store: LedgerStore, subject_id: str, *, as_of: date) -> ScoreView:
    stored = stored_if_current(store, subject_id, as_of)
    if stored is not None:
        return ScoreView(
            subject_id,
            as_of,
            stored.pack_id,
            stored.version,
            stored.checksum,
            stored.score,
            stored.tier,
            stored=True,
        )
    history, records = subject_ledger(store, subject_id)
    a = assess(subject_id, history, records, as_of, lists=False)
    v = a.version
    return ScoreView(subject_id, as_of, v.id, v.version, v.checksum, a.score, a.tier, stored=False)
