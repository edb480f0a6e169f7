"""Scores and explanations for one subject: the use cases behind `score` and `explain`
(checks are `services.rating.checks`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import UnknownSubject
from credo.domain.explanation import Explanation, explain
from credo.domain.records import LedgerRecord
from credo.domain.rulebook import Rulebook
from credo.domain.scoring import Assessment, assess
from credo.services.packs.rulebook import current_rulebook


def subject_ledger(
    store: LedgerStore, subject_id: str, rulebook: Rulebook | None = None
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


def explain_subject(store: LedgerStore, subject_id: str, *, as_of: date) -> Explanation:
    rulebook, records = subject_ledger(store, subject_id)
    explained = explain(subject_id, rulebook, records, as_of)
    logged = store.leaf_indexes("record", [lr.record.record_id for lr in records])
    return replace(explained, leaf_indexes=logged)
