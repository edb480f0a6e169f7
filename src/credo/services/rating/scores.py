"""Materialised scores: kept current one subject at a time (real time) and read back when they
still hold, falling back to the online path when they do not. Both paths give the same answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from credo.adapters.stores.protocol import LedgerStore, ListMark, StoredScore, SubjectReads
from credo.domain.ledger.records import LedgerRecord
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.explanation import change_dates
from credo.domain.scoring.score import Assessment, assess
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.subject import subject_ledger


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
    rulebook: Rulebook,
    records: Sequence[LedgerRecord],
    a: Assessment,
    *,
    today: date,
    now: datetime,
    size: int | None = None,
) -> StoredScore:
    """Store `a`, the assessment of `records` (the subject's ledger as read, `size` records
    and entries if known), with the first day it may change by time alone."""
    stored = to_store(rulebook, records, a, today=today, now=now, size=size)
    store.put_score(stored)
    return stored


def to_store(
    rulebook: Rulebook,
    records: Sequence[LedgerRecord],
    a: Assessment,
    *,
    today: date,
    now: datetime,
    size: int | None = None,
) -> StoredScore:
    """What `store_assessment` stores."""
    later = change_dates(rulebook, records, today) + [e.until for e in a.lists]
    return materialise(a, min(later, default=None), now, size)


def stored_if_current(
    store: SubjectReads, subject_id: str, as_of: date, rulebook: Rulebook | None = None
) -> StoredScore | None:
    """The stored score, if it holds on `as_of` and was judged under the rulebook as it is:
    a record may be judged by another pack than its subject's (SPEC §4.1), so a score stored
    before any version was adopted is not trusted, whichever pack that version belongs to."""
    stored = store.stored_score(subject_id)
    if stored is None or not stored.holds_on(as_of):
        return None
    rulebook = rulebook or current_rulebook(store)
    history = rulebook.packs.get(stored.pack_id)
    revised = rulebook.revised_at
    if history is None or (revised is not None and stored.computed_at < revised):
        return None
    version = history.in_force(as_of)
    if version is None or (version.version, version.checksum) != (stored.version, stored.checksum):
        return None
    return stored


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


def current_score(store: SubjectReads, subject_id: str, *, as_of: date) -> ScoreView:
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
    rulebook, records = subject_ledger(store, subject_id)
    a = assess(subject_id, rulebook, records, as_of, lists=False)
    v = a.version
    return ScoreView(subject_id, as_of, v.id, v.version, v.checksum, a.score, a.tier, stored=False)
