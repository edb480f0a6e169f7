"""Objections: a subject contests one record; a reviewer decides. Both are ledger entries,
and an objection's state is what those entries say."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from credo.domain.entries import Entry
from credo.domain.errors import CredoError, Refused

Outcome = Literal["upheld", "overturned"]
State = Literal["open", "upheld", "overturned"]


class ObjectionRefused(Refused):
    """An objection or a decision that the procedure does not allow now."""


class UnknownObjection(CredoError):
    status = 404
    title = "Not found"


@dataclass(frozen=True, slots=True)
class Objection:
    objection_id: str
    record_id: str
    subject_id: str
    reason: str
    filed_at: datetime
    review_by: date  # the last day of the review period
    outcome: Outcome | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    seq: int | None = None

    @property
    def state(self) -> State:
        return self.outcome or "open"

    def days_left(self, today: date) -> int:
        """Days of the review period left; negative once overdue."""
        return (self.review_by - today).days

    def overdue(self, today: date) -> bool:
        return self.outcome is None and today > self.review_by


def objection_entry(
    objection_id: str,
    record_id: str,
    subject_id: str,
    reason: str,
    *,
    actor: str,
    at: datetime,
    review_days: int,
) -> Entry:
    review_by = at.date() + timedelta(days=review_days)
    return Entry(
        "objection",
        record_id,
        actor,
        at,
        {
            "objection_id": objection_id,
            "subject_id": subject_id,
            "reason": reason,
            "review_by": review_by.isoformat(),
        },
    )


def decision_entry(
    objection: Objection, outcome: Outcome, note: str, *, by: str, at: datetime
) -> Entry:
    if objection.outcome is not None:
        raise ObjectionRefused(
            f"objection {objection.objection_id} was already decided "
            f"({objection.outcome}, by {objection.decided_by} on "
            f"{objection.decided_at.date() if objection.decided_at else '?'}); "
            "a decision is final"
        )
    return Entry(
        "decision",
        objection.record_id,
        by,
        at,
        {"objection_id": objection.objection_id, "outcome": outcome, "note": note},
    )


def objections_from(entries: Iterable[Entry]) -> list[Objection]:
    """Every objection among `entries`, with its decision if one was made, in filing order."""
    found: dict[str, Objection] = {}
    for e in sorted(entries, key=lambda e: e.seq or 0):
        oid = str(e.data.get("objection_id", ""))
        if e.kind == "objection":
            # An objection without a review date (from an older export) is due at once:
            # better flagged overdue than forgotten.
            due = e.data.get("review_by")
            found[oid] = Objection(
                oid,
                e.record_id,
                str(e.data.get("subject_id") or e.actor),
                str(e.data.get("reason", "")),
                e.at,
                date.fromisoformat(str(due)) if due else e.at.date(),
                seq=e.seq,
            )
        elif e.kind == "decision" and oid in found and found[oid].outcome is None:
            found[oid] = replace(
                found[oid],
                outcome=e.data["outcome"],
                note=str(e.data.get("note", "")),
                decided_by=e.actor,
                decided_at=e.at,
            )
    return list(found.values())


def refuse_filing(
    record_id: str,
    existing: Iterable[Objection],
    *,
    today: date,
    noticed: date,
    deadline: date,
) -> None:
    """An objection is filed in time, and only one is open on a record at once."""
    for o in existing:
        if o.outcome is None:
            raise ObjectionRefused(
                f"record {record_id} already has an open objection ({o.objection_id}, filed "
                f"{o.filed_at.date()}); it will be decided by {o.review_by}"
            )
    if today > deadline:
        raise ObjectionRefused(
            f"the window to object to record {record_id} closed at the end of {deadline} "
            f"({(deadline - noticed).days} days after its notice of {noticed}); a record that "
            "is wrong can still be withdrawn by the provider that reported it"
        )
