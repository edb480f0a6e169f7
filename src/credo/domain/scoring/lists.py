"""List entries: SPEC §4.8. A list admits on facts, never on a score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.evaluate import CompiledMatch


@dataclass(frozen=True, slots=True)
class ListEntry:
    list_id: str
    kind: str
    record: Record
    since: date
    until: date  # exclusive: the first day off the list
    repaired_by: str | None
    basis: str


def list_entries(
    rulebook: Rulebook, records: Sequence[LedgerRecord], as_of: date, *, disputes: bool = True
) -> list[ListEntry]:
    """The entries open on `as_of`.

    An entry is opened by a record that a list's `admit` matches in the version of the
    record's own pack in force when the record occurred (a list cannot reach back before it
    existed). The list must still exist in that pack's version in force on `as_of`, and the
    shorter of the two durations applies, as the milder rule does for points. A `repair`
    record of the same subject and case_ref, occurring on or after the admission, ends the
    entry on its date. An entry resting on a withdrawn, overturned or suspended record is void
    (`disputes=False` leaves objections out).
    """
    entries: list[ListEntry] = []
    for lr in records:
        r, status = lr.record, lr.status
        if r.occurred_at > as_of or status.withdrawn or status.overturned:
            continue
        history = rulebook.record_pack(r)
        then = history.in_force(r.occurred_at) if history else None
        if history is None or then is None or not then.lists:
            continue
        now = history.require(as_of)
        if disputes and status.disputed and now.pack.objection.while_disputed == "suspend":
            continue
        for list_id, compiled in then.lists.items():
            current = now.lists.get(list_id)
            if current is None or not compiled.admit(r.type, r.attributes):
                continue
            days = min(compiled.spec.duration_days, current.spec.duration_days)
            until = r.occurred_at + timedelta(days=days)
            repair = _repair(compiled.repair, r, records) if compiled.repair else None
            if repair is not None and repair.occurred_at < until:
                until = repair.occurred_at
            if r.occurred_at <= as_of < until:
                entries.append(
                    ListEntry(
                        list_id,
                        current.spec.kind,
                        r,
                        r.occurred_at,
                        until,
                        repair.record_id if repair and repair.occurred_at == until else None,
                        current.spec.basis,
                    )
                )
    entries.sort(key=lambda e: (e.list_id, e.since, e.record.record_id))
    return entries


def _repair(
    match: CompiledMatch, admitted: Record, records: Sequence[LedgerRecord]
) -> Record | None:
    if not admitted.case_ref:
        return None
    found = [
        lr.record
        for lr in records
        if lr.record.case_ref == admitted.case_ref
        and not lr.status.withdrawn
        and not lr.status.overturned
        and lr.record.occurred_at >= admitted.occurred_at
        and match(lr.record.type, lr.record.attributes)
    ]
    return min(found, key=lambda r: (r.occurred_at, r.record_id), default=None)
