"""Why a score is what it is: the explanation of SPEC §6, and when it next changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.records import LedgerRecord
from credo.domain.rulebook import Rulebook
from credo.domain.scoring import Assessment, RuleHits, assess


@dataclass(frozen=True, slots=True)
class NextChange:
    on: date
    score: int
    tier: str


@dataclass(frozen=True, slots=True)
class Explanation:
    assessment: Assessment
    next_change: NextChange | None


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


def to_json(e: Explanation) -> dict[str, Any]:
    a = e.assessment
    return {
        "subject": a.subject_id,
        "as_of": a.as_of.isoformat(),
        "pack": a.version.id,
        "pack_version": a.version.version,
        "pack_checksum": a.version.checksum,
        "base": a.base,
        "score": a.score,
        "tier": a.tier,
        "contributions": [
            {
                "record_id": c.record.record_id,
                "source": c.record.source,
                "source_ref": c.record.source_ref,
                "type": c.record.type,
                "rule": c.rule,
                "points": c.points,
                "occurred_at": c.record.occurred_at.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                **({"points_then": c.points_then} if c.points_then != c.points else {}),
                **({"capped_by": c.capped_by} if c.capped_by else {}),
                **({"case_ref": c.record.case_ref} if c.record.case_ref else {}),
                **({"pack": c.pack} if c.pack and c.pack != a.version.id else {}),
            }
            for c in a.contributions
        ],
        "excluded": [
            {
                "record_id": x.record.record_id,
                "source": x.record.source,
                "source_ref": x.record.source_ref,
                "type": x.record.type,
                "occurred_at": x.record.occurred_at.isoformat(),
                "reason": x.reason,
                **({"rule": x.rule} if x.rule else {}),
                **({"merged_into": x.merged_into} if x.merged_into else {}),
                **({"pack": x.pack} if x.pack and x.pack != a.version.id else {}),
            }
            for x in a.excluded
        ],
        "lists": [
            {
                "list": entry.list_id,
                "kind": entry.kind,
                "record_id": entry.record.record_id,
                "since": entry.since.isoformat(),
                "until": entry.until.isoformat(),
                **({"repaired_by": entry.repaired_by} if entry.repaired_by else {}),
            }
            for entry in a.lists
        ],
        "next_change": (
            {
                "on": e.next_change.on.isoformat(),
                "score": e.next_change.score,
                "tier": e.next_change.tier,
            }
            if e.next_change
            else None
        ),
    }
