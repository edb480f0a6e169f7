"""The population at a glance: tiers and list sizes per pack, on the online path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import NotInForce
from credo.domain.records import LedgerRecord
from credo.domain.rulebook import Rulebook
from credo.domain.scoring import assess


@dataclass
class PackSummary:
    pack: str
    version: int
    tiers: list[str]
    tier_counts: Counter[str] = field(default_factory=Counter)
    list_sizes: Counter[str] = field(default_factory=Counter)
    subjects: int = 0


def summarize(
    store: LedgerStore,
    rulebook: Rulebook,
    as_of: date,
    on_records: Callable[[int], None] | None = None,
) -> dict[str, PackSummary]:
    summaries: dict[str, PackSummary] = {}
    for batch in store.iter_records():
        for subject_records in _by_subject(batch):
            subject = subject_records[0].record.subject
            history = rulebook.find_governing(subject)
            if history is None:
                continue
            try:
                a = assess(subject.id, history, subject_records, as_of)
            except NotInForce:
                continue
            s = summaries.get(history.id)
            if s is None:
                tiers = [t.name for t in a.version.pack.tiers]
                s = summaries[history.id] = PackSummary(history.id, a.version.version, tiers)
            s.subjects += 1
            s.tier_counts[a.tier] += 1
            for list_id in {e.list_id for e in a.lists}:
                s.list_sizes[list_id] += 1
        if on_records is not None:
            on_records(len(batch))
    return summaries


def _by_subject(batch: list[LedgerRecord]) -> list[list[LedgerRecord]]:
    groups: dict[str, list[LedgerRecord]] = {}
    for lr in batch:
        groups.setdefault(lr.record.subject.id, []).append(lr)
    return list(groups.values())
