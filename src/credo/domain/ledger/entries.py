"""Ledger entries: those that refer to a record (withdrawals, objections, decisions and
notices), and those that record an administrator's act on who may reach the ledger.

Records are never changed; their status on any day is derived from these entries. A notice
changes no status: it is the ledger's proof that the subject was told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from credo.domain.errors import Refused
from credo.domain.ledger.records import RecordStatus

EntryKind = Literal["withdrawal", "objection", "decision", "notice"]

AdminKind = Literal["key", "key-revocation", "login-link", "signing-key-rotation"]
ADMIN_KINDS: tuple[AdminKind, ...] = ("key", "key-revocation", "login-link", "signing-key-rotation")


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


@dataclass(frozen=True, slots=True)
class AdminEntry:
    """An act on who may reach the ledger: a key made (of any role) or revoked, a one-time
    sign-in link issued, the signing key rotated. `actor` is who did it: an administrator's
    key id, or `cli:<user>` for the command line. It never holds a secret: a key appears by
    its id, role, holder and scope, never by its token, digest or a sign-in code."""

    kind: AdminKind
    actor: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None

    @property
    def subject_id(self) -> str | None:
        """The subject whose key the entry is about, who may read it (SPEC §5: nothing secret
        from its subject); None for an organisation's key or the signing key."""
        return str(self.data["id"]) if self.data.get("role") == "subject" else None


def about_key(
    kind: AdminKind,
    *,
    key_id: str,
    role: str,
    holder: str,
    scopes: Iterable[str],
    actor: str,
    at: datetime,
    **more: Any,
) -> AdminEntry:
    """The entry for an act on one API key: what identifies the key and what it may do."""
    data: dict[str, Any] = {"key_id": key_id, "role": role, "id": holder, "scopes": list(scopes)}
    return AdminEntry(kind, actor, at, {**data, **more})
