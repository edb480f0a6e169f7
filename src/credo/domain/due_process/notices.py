"""Notices: what a subject is told when the ledger turns against it, or answers its objection.

A record that costs points, a list admission, a measure that starts to apply: each is told to
its subject with everything needed to check it and to object (the record and its evidence, the
rule and its basis, the points, the deadline and how). Nobody finds out they are listed only
when a ticket is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from credo.domain.due_process.objections import Outcome
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.packs import ObjectionSpec
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import check
from credo.domain.scoring.score import Assessment, assess
from credo.domain.scoring.verdicts import Verdict, judge_for

HOW_TO_OBJECT = (
    "POST /v1/objections {record_id, reason} with your subject key, or "
    "`credo object RECORD_ID --reason …`; a reviewer decides within the review period"
)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice about one record; `data` is what the subject receives."""

    record_id: str
    subject_id: str
    data: dict[str, Any]


def objection_deadline(rulebook: Rulebook, record: Record, noticed: date) -> date:
    """The last day an objection to `record` is in time: `window_days` after its notice, by
    the version of the record's own pack in force on the day of the notice (SPEC §4.10)."""
    history = rulebook.record_pack(record)
    version = history.in_force(noticed) if history else None
    window = version.pack.objection.window_days if version else ObjectionSpec().window_days
    return noticed + timedelta(days=window)


def record_notices(
    subject_id: str,
    rulebook: Rulebook,
    records: Sequence[LedgerRecord],
    new: Sequence[str],
    today: date,
    *,
    after: Assessment | None = None,
) -> list[Notice]:
    """The notices that the records `new` (ids among `records`) cause on `today`; `after`
    is the assessment of `records` on `today`, when the caller has it already.

    A new record is noticed when it counts against the subject, when it opens a list entry,
    or when a measure starts to apply because of it. Measures triggered by a tier rather than
    a record are told with the subject's newest record, which moved the tier.
    """
    fresh = set(new)
    if not fresh:
        return []
    after = after or assess(subject_id, rulebook, records, today)
    older = [lr for lr in records if lr.record.record_id not in fresh]
    before = assess(subject_id, rulebook, older, today) if older else None
    by_id = {lr.record.record_id: lr.record for lr in records if lr.record.record_id in fresh}
    parts = _points_and_lists(rulebook, after, fresh)
    newest = max(fresh & by_id.keys(), key=lambda rid: (by_id[rid].occurred_at, rid), default=None)
    for measure in _started(before, after):
        owner = measure.pop("record_id", None)
        rid = owner if owner in fresh else newest
        if rid is not None:
            parts.setdefault(rid, {}).setdefault("measures", []).append(measure)
    return [
        Notice(
            rid,
            subject_id,
            _record_notice(by_id[rid], part, objection_deadline(rulebook, by_id[rid], today)),
        )
        for rid, part in sorted(parts.items())
        if rid in by_id
    ]


def _points_and_lists(
    rulebook: Rulebook, after: Assessment, fresh: set[str]
) -> dict[str, dict[str, Any]]:
    """What each fresh record costs and which list entries it opens, by record id."""
    parts: dict[str, dict[str, Any]] = {}
    for c in after.contributions:
        if c.record.record_id in fresh and c.points < 0:
            parts.setdefault(c.record.record_id, {}).update(
                rule=c.rule,
                basis=_basis(rulebook, c.record, c.rule),
                points=c.points,
                expires_on=c.expires_on.isoformat() if c.expires_on else None,
            )
    for e in after.lists:
        if e.record.record_id in fresh:
            parts.setdefault(e.record.record_id, {}).setdefault("lists", []).append(
                {
                    "list": e.list_id,
                    "kind": e.kind,
                    "since": e.since.isoformat(),
                    "until": e.until.isoformat(),
                    "basis": e.basis,
                }
            )
    return parts


_EFFECTS: dict[Outcome, str] = {
    "overturned": "the record no longer counts, at any date",
    "upheld": "the record stands and counts again as the rulebook says",
    "moot": "the record was withdrawn, so the objection is closed as moot: the record no "
    "longer counts, at any date",
}


def decision_notice(
    record: Record, objection_id: str, outcome: Outcome, note: str, decided_on: date
) -> Notice:
    """The answer to an objection: upheld, overturned, or closed as moot because the record
    was withdrawn (then `note` is the withdrawal's reason)."""
    return Notice(
        record.record_id,
        record.subject.id,
        {
            "about": "decision",
            "record": record.to_json(),
            "decision": {
                "objection_id": objection_id,
                "outcome": outcome,
                "note": note,
                "decided_on": decided_on.isoformat(),
                "effect": _EFFECTS[outcome],
            },
        },
    )


def _record_notice(record: Record, part: dict[str, Any], deadline: date) -> dict[str, Any]:
    return {
        "about": "record",
        "record": record.to_json(),
        "points": part.get("points", 0),
        "rule": part.get("rule"),
        "basis": part.get("basis"),
        "expires_on": part.get("expires_on"),
        "lists": part.get("lists", []),
        "measures": part.get("measures", []),
        "objection": {"deadline": deadline.isoformat(), "how": HOW_TO_OBJECT},
    }


def _basis(rulebook: Rulebook, record: Record, rule_id: str) -> str | None:
    """The basis of the rule that gave the points: the version of the record's pack in force
    when it occurred."""
    history = rulebook.record_pack(record)
    then = history.in_force(record.occurred_at) if history else None
    return next((r.basis for r in then.pack.rules if r.id == rule_id), None) if then else None


def _started(before: Assessment | None, after: Assessment) -> list[dict[str, Any]]:
    """Measures that apply after and did not before, in every context of the pack."""
    contexts = sorted({m.context for m in after.version.pack.measures})
    started: list[dict[str, Any]] = []
    # Which measures apply is all a notice takes from a check (`windows=None`): the deadline
    # it gives is its own record's, whose window opens with this very notice.
    for context in contexts:
        had = {r.measure for r in check(before, context, windows=None).reasons} if before else set()
        for reason in check(after, context, windows=None).reasons:
            if reason.measure in had:
                continue
            started.append(
                {
                    "measure": reason.measure,
                    "context": context,
                    "effect": reason.effect,
                    "basis": reason.basis,
                    "record_id": reason.trigger.get("record_id"),
                }
            )
    return started


def intake_notices(
    rulebook: Rulebook, record: Record, today: date, verdict: Verdict | None = None
) -> list[Notice]:
    """The notices a record owes its subject, judged on its own: what bulk intake can tell
    without reading each subject's ledger. Its points and the list entries it opens do not
    depend on the rest of the ledger, and neither do the measures resting on those lists,
    which are all the restrictions there are (a `deny` rests on a list, SPEC §5); measures
    that follow a tier are left to the online path. `verdict`, the record's own by this
    rulebook when intake has judged it already, spares judging it again."""
    if verdict is None:
        verdict = judge_for(rulebook).verdict_of(record)
    if not verdict.admits and (verdict.rule is None or verdict.points >= 0):
        return []  # the common case, decided without assessing anything
    rid = record.record_id
    after = assess(record.subject.id, rulebook, [LedgerRecord(record)], today)
    part = _points_and_lists(rulebook, after, {rid}).get(rid)
    if part is None:
        return []
    opened = {entry["list"] for entry in part.get("lists", [])}
    measures = [
        {"measure": m.id, "context": m.context, "effect": m.effect, "basis": m.basis}
        for m in after.version.pack.measures
        if m.when.list in opened
    ]
    if measures:
        part["measures"] = measures
    deadline = objection_deadline(rulebook, record, today)
    return [Notice(rid, record.subject.id, _record_notice(record, part, deadline))]
