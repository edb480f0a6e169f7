"""Ledger entries that refer to a record: withdrawals, objections, decisions and notices.

Records are never changed; their status on any day is derived from these entries. A notice
changes no status: it is the ledger's proof that the subject was told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from credo.domain.errors import Refused
from credo.domain.records import RecordStatus

EntryKind = Literal["withdrawal", "objection", "decision", "notice"]


@dataclass(frozen=True, slots=True)
class Entry:
    kind: EntryKind
    record_id: str
    actor: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None


class StepTaken(Refused):
    """A single-use step already taken: the ledger holds the entry that took it (another
    request's, committed first), and this one wrote nothing."""

    title = "Already done"

    def __init__(self, step: str) -> None:
        super().__init__(f"another request took this step first ({step}); it is taken once")
        self.step = step


def single_use_step(entry: Entry) -> str | None:
    """The step an entry takes that the ledger allows once, or None: a record is withdrawn
    once, an objection id is filed once, and an objection is decided once (a moot closing is
    its decision). Every store enforces this where the entry is written, in its transaction."""
    if entry.kind == "withdrawal":
        return f"withdrawal {entry.record_id}"
    if entry.kind in ("objection", "decision"):
        return f"{entry.kind} {entry.data.get('objection_id', '')}"
    return None


def after_withdrawal(entry: Entry) -> bool:
    """Whether the entry is one a withdrawn record takes no more (SPEC §4.10): an objection,
    or a decision other than the moot closing that comes with the withdrawal itself."""
    return entry.kind == "objection" or (
        entry.kind == "decision" and entry.data.get("outcome") != "moot"
    )


def left_open(batch: Iterable[Entry], open_objections: Iterable[Entry]) -> str | None:
    """An objection a withdrawal in `batch` would leave open, of those open before it: a
    withdrawal closes every open objection of its record in its own batch (SPEC §4.10), and
    one filed while it was being prepared must not slip past it."""
    withdrawn = {e.record_id for e in batch if e.kind == "withdrawal"}
    closed = {str(e.data.get("objection_id")) for e in batch if e.kind == "decision"}
    for o in open_objections:
        oid = str(o.data.get("objection_id"))
        if o.record_id in withdrawn and oid not in closed:
            return f"objection {oid}"
    return None


def withdrawal_in(entries: Iterable[Entry]) -> Entry | None:
    """The record's withdrawal among its `entries`, if it was withdrawn (only once)."""
    return next((e for e in entries if e.kind == "withdrawal"), None)


STATUS_KINDS: tuple[EntryKind, ...] = ("withdrawal", "objection", "decision")
"""The entries a record's status is made of (`status_from`); a notice changes nothing."""


def status_from(entries: Iterable[Entry]) -> RecordStatus:
    """Withdrawn once withdrawn; overturned if its last ruled objection was overturned;
    disputed while an objection has no decision. A `moot` decision (the objection closed by
    the record's withdrawal) closes the objection and rules on nothing."""
    withdrawn = overturned = False
    open_objections: set[str] = set()
    for e in sorted(entries, key=lambda e: (e.at, e.seq or 0)):
        if e.kind == "withdrawal":
            withdrawn = True
        elif e.kind == "objection":
            open_objections.add(str(e.data["objection_id"]))
        elif e.kind == "decision":
            open_objections.discard(str(e.data["objection_id"]))
            if e.data["outcome"] != "moot":
                overturned = e.data["outcome"] == "overturned"
    return RecordStatus(withdrawn=withdrawn, overturned=overturned, disputed=bool(open_objections))
