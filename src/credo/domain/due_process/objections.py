"""Objections: a subject contests one record; a reviewer decides, or the record's withdrawal
closes the objection as moot. All are ledger entries, and an objection's state is what those
entries say."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from credo.domain.errors import CredoError, Refused
from credo.domain.ledger.entries import Entry, withdrawal_in

Ruling = Literal["upheld", "overturned"]  # what a reviewer decides
# `moot`: closed because the record was withdrawn, with nothing left to decide.
Outcome = Literal["upheld", "overturned", "moot"]
State = Literal["open", "upheld", "overturned", "moot"]


class ObjectionRefused(Refused):
    """An objection or a decision that the procedure does not allow now."""


class UnknownObjection(CredoError):
    status = 404
    title = "Not found"


@dataclass(frozen=True, slots=True)
class ObjectionWindow:
    """When objections to a record opened (the day of its first notice, or of its recording if
    it owed none) and the last day one is in time (SPEC §4.10)."""

    opened: date
    closes: date
    noticed: bool = True  # False: the record owed no notice, and the window opened when recorded

    @property
    def since(self) -> str:
        """What opened the window, for a sentence: `its notice of D` or `it was recorded on D`."""
        return (
            f"its notice of {self.opened}" if self.noticed else f"it was recorded on {self.opened}"
        )


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
    refuse_if_decided(objection)
    return Entry(
        "decision",
        objection.record_id,
        by,
        at,
        {"objection_id": objection.objection_id, "outcome": outcome, "note": note},
    )


def refuse_if_decided(objection: Objection) -> None:
    """A decision is final: the one that stands is named."""
    if objection.outcome is not None:
        raise ObjectionRefused(
            f"objection {objection.objection_id} was already decided "
            f"({objection.outcome}, by {objection.decided_by} on "
            f"{objection.decided_at.date() if objection.decided_at else '?'}); "
            "a decision is final"
        )


def moot_decisions(
    objections: Iterable[Objection], *, by: str, note: str, at: datetime
) -> list[Entry]:
    """The decisions that close the open `objections` of a record withdrawn by `by`, for the
    reason `note`: a withdrawn record counts at no date, so nothing is left to decide."""
    return [decision_entry(o, "moot", note, by=by, at=at) for o in objections if o.outcome is None]


def refuse_if_withdrawn(record_id: str, entries: Iterable[Entry], step: str) -> None:
    """A withdrawn record takes no further objection or decision (SPEC §4.10): it counts at
    no date, and its open objections were closed as moot with the withdrawal."""
    withdrawal = withdrawal_in(entries)
    if withdrawal is not None:
        raise ObjectionRefused(
            f"record {record_id} was withdrawn on {withdrawal.at.date()} by {withdrawal.actor} "
            f"and takes no further {step}: it counts at no date, and an objection open on it "
            "then was closed as moot"
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
    window: ObjectionWindow,
) -> None:
    """An objection is filed in time, and only one is open on a record at once."""
    refuse_if_open(record_id, existing)
    if today > window.closes:
        raise ObjectionRefused(
            f"the window to object to record {record_id} closed at the end of {window.closes} "
            f"({(window.closes - window.opened).days} days after {window.since}); "
            "a record that is wrong can still be withdrawn by the provider that reported it"
        )


def refuse_if_open(record_id: str, existing: Iterable[Objection]) -> None:
    """Only one objection is open on a record at once: the open one is named."""
    for o in existing:
        if o.outcome is None:
            raise ObjectionRefused(
                f"record {record_id} already has an open objection ({o.objection_id}, filed "
                f"{o.filed_at.date()}); it will be decided by {o.review_by}"
            )
