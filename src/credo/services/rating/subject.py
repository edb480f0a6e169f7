"""Scores and explanations for one subject: the use cases behind `score` and `explain`
(checks are `services.rating.checks`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date
from typing import Generic, TypeVar

from credo.adapters.stores.protocol import LedgerStore, SubjectReads
from credo.domain.errors import UnknownSubject
from credo.domain.ledger.records import LedgerRecord
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.explanation import Explanation, explain
from credo.domain.scoring.score import Assessment, assess
from credo.services.packs.rulebook import current_rulebook


def subject_ledger(
    store: SubjectReads, subject_id: str, rulebook: Rulebook | None = None
) -> tuple[Rulebook, list[LedgerRecord]]:
    """The rulebook (the one the caller holds, else the store's) and every record about a
    subject, oldest first; a subject with no records is refused as unknown."""
    records = store.records_of(subject_id)
    if not records:
        raise UnknownSubject(f"no records about subject {subject_id!r}")
    return (current_rulebook(store) if rulebook is None else rulebook), records


def score_subject(store: LedgerStore, subject_id: str, *, as_of: date) -> Assessment:
    rulebook, records = subject_ledger(store, subject_id)
    return assess(subject_id, rulebook, records, as_of)


def explain_subject(
    store: LedgerStore,
    subject_id: str,
    *,
    as_of: date,
    rulebook: Rulebook | None = None,
    explained: Explanations | None = None,
) -> Explanation:
    """`explained`: a cache the caller keeps across requests."""
    rulebook = current_rulebook(store) if rulebook is None else rulebook
    explained = explained or Explanations(size=0)
    _, records, e = explained(store, subject_id, rulebook, as_of)
    logged = store.leaf_indexes("record", [lr.record.record_id for lr in records])
    return replace(e, leaf_indexes=logged)


V = TypeVar("V")
Explained = tuple[int, list[LedgerRecord], Explanation]
"""A subject's ledger as read (its size and records) and its explanation on a day."""


class ByRevision(Generic[V]):
    """What was worked out from a subject's ledger, kept by what it followed from: the
    subject, the size of its ledger (any new record or entry about it changes that), the
    rulebook's revision and the day, with anything else the caller adds to the key. The
    newest `size` are kept."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._held: OrderedDict[tuple[object, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> V | None:
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        return None

    def put(self, key: tuple[object, ...], value: V) -> None:
        if not self.size:
            return
        with self._lock:
            self._held[key] = value
            while len(self._held) > self.size:
                self._held.popitem(last=False)


def revision(subject_id: str, size: int, rulebook: Rulebook, day: date) -> tuple[object, ...]:
    """The key of what follows from a subject's ledger of `size` under `rulebook` on `day`."""
    return (subject_id, size, id(rulebook), rulebook.revised_at, day)


class Explanations(ByRevision[Explained]):
    """Explanations already worked out: the explanation the API gives and the one the
    portal's `/me` shows are one piece of work, and reading either again before anything
    changed reads the ledger's size only. (Most of an explanation is its next change, a
    scoring on every later day something could move.)"""

    def __call__(
        self, store: LedgerStore, subject_id: str, rulebook: Rulebook, as_of: date
    ) -> Explained:
        """The subject's ledger and its explanation on `as_of`; a subject with no records is
        refused as unknown."""
        if self.size:
            held = self.get(revision(subject_id, store.ledger_size(subject_id), rulebook, as_of))
            if held is not None:
                return held
        found = store.ledgers_of([subject_id]).get(subject_id)
        if found is None:
            raise UnknownSubject(f"no records about subject {subject_id!r}")
        size, records = found
        explained = (size, records, explain(subject_id, rulebook, records, as_of))
        # Under the size read with the ledger, in one snapshot: what it explains.
        self.put(revision(subject_id, size, rulebook, as_of), explained)
        return explained
