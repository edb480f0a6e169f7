"""Ledger entries that refer to a record: withdrawals, objections, decisions and notices.

Records are never changed; their status on any day is derived from these entries. A notice
changes no status: it is the ledger's proof that the subject was told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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


def withdrawal_in(entries: Iterable[Entry]) -> Entry | None:
    """The record's withdrawal among its `entries`, if it was withdrawn (only once)."""
    return next((e for e in entries if e.kind == "withdrawal"), None)


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
