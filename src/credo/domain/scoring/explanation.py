"""Why a score is what it is: the explanation of SPEC §6, and when it next changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.ledger.records import LedgerRecord
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.score import Assessment, RuleHits, assess


@dataclass(frozen=True, slots=True)
class NextChange:
    on: date
    score: int
    tier: str


@dataclass(frozen=True, slots=True)
class Explanation:
    assessment: Assessment
    next_change: NextChange | None
    leaf_indexes: Mapping[str, int] = field(default_factory=dict)
    """Each record's place in the audit log, where its inclusion proof starts (SPEC §9)."""


def explain(
    subject_id: str, rulebook: Rulebook, records: Sequence[LedgerRecord], as_of: date
) -> Explanation:
    current = assess(subject_id, rulebook, records, as_of)
    return Explanation(current, next_change(subject_id, rulebook, records, current))


def change_dates(rulebook: Rulebook, records: Sequence[LedgerRecord], after: date) -> list[date]:
    """Every later date on which a score could move: a version coming into force in a pack
    that governs where the subject has been (or a pack taking over there), or a record
    occurring or expiring (by the rule that gives its points, SPEC §4.3)."""
    kind = records[0].record.subject.kind if records else "person"
    regions = {lr.record.subject.region for lr in records}
    dates = rulebook.change_dates(regions, kind, after)
    for lr in records:
        r = lr.record
        if r.occurred_at > after:
            dates.add(r.occurred_at)
        history = rulebook.record_pack(r)
        then = history.in_force(r.occurred_at) if history else None
        hit = then.rules.match(r.type, r.attributes) if then else None
        if hit is not None and hit.valid_days:
            expires = r.occurred_at + timedelta(days=hit.valid_days)
            if expires > after:
                dates.add(expires)
    return sorted(dates)


def next_change(
    subject_id: str,
    rulebook: Rulebook,
    records: Sequence[LedgerRecord],
    current: Assessment,
) -> NextChange | None:
    hits = RuleHits()
    for day in change_dates(rulebook, records, current.as_of):
        try:
            later = assess(subject_id, rulebook, records, day, lists=False, hits=hits)
        except (NoPackGoverns, NotInForce):
            continue  # a day its subject cannot be scored on is no change to show
        if later.score != current.score or later.tier != current.tier:
            return NextChange(day, later.score, later.tier)
    return None
