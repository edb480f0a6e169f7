"""A subject's whole file, as `/me` shows it and its downloads hold: the explanation of the
score, every record with its part and its status, the list entries and how each ends early,
the notices, the objections and the checks made about the subject.

Every part comes from the use cases the API calls (`rating`, `notices`, `objections`,
`checks`); this module only puts them side by side, reading the ledger once for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from credo.adapters.stores.access import AccessStore, LoggedCheck
from credo.adapters.stores.portal import PortalQueries
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.due_process.objections import Objection, ObjectionWindow
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import LedgerRecord
from credo.domain.rules.packs import Rule
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.explanation import Explanation
from credo.domain.scoring.lists import ListEntry
from credo.services.due_process.notices import notices_of
from credo.services.due_process.objections import objection_window, objections_of
from credo.services.portal.history import ScorePoint, score_history
from credo.services.rating.checks import checks_about
from credo.services.rating.subject import ByRevision, Explanations, revision


@dataclass(frozen=True, slots=True)
class RecordPart:
    """One record and what it does to the score today."""

    ledger: LedgerRecord
    rule: str | None
    points: int | None  # None: it does not count today
    basis: str | None
    expires_on: date | None
    excluded: str | None  # why it does not count: expired, withdrawn, disputed, …
    window: ObjectionWindow
    objection: Objection | None  # the latest objection to it

    @property
    def status(self) -> str:
        s = self.ledger.status
        if s.withdrawn:
            return "withdrawn"
        if s.overturned:
            return "overturned"
        if s.disputed:
            return "disputed"
        return self.excluded or "counts"

    def can_object(self, today: date) -> bool:
        open_now = self.objection is not None and self.objection.outcome is None
        return (
            not self.ledger.status.withdrawn
            and not self.ledger.status.overturned
            and not open_now
            and today <= self.window.closes
        )


@dataclass(frozen=True, slots=True)
class ListPart:
    entry: ListEntry
    ends_early: str | None  # the record type that repairs it, with the same case_ref


@dataclass(frozen=True, slots=True)
class SubjectFile:
    subject_id: str
    today: date
    revision: tuple[object, ...]  # what all but its checks follow from (`rating.subject.revision`)
    explanation: Explanation
    records: tuple[RecordPart, ...]
    lists: tuple[ListPart, ...]
    notices: tuple[Entry, ...]
    objections: tuple[Objection, ...]
    checks: tuple[LoggedCheck, ...]
    history: tuple[ScorePoint, ...]
    while_disputed: str  # suspend | keep, by the version in force today


def subject_file(
    store: LedgerStore,
    access: AccessStore,
    portal: PortalQueries,
    rulebook: Rulebook,
    subject_id: str,
    *,
    today: date,
    checks: int = 100,
    files: FileCache | None = None,
    explained: Explanations | None = None,
) -> SubjectFile:
    """`files`, `explained`: caches the caller keeps across requests (the second shared with
    the API's explanation); without them everything is worked out anew. Only the checks made
    about the subject are read every time: they are not in the ledger."""
    size, ledger, e = (explained or Explanations(size=0))(store, subject_id, rulebook, today)
    key = revision(subject_id, size, rulebook, today)
    held = files.get(key) if files is not None else None
    if held is None:
        held = _from_ledger(store, portal, rulebook, subject_id, today, ledger, e)
        if files is not None:
            files.put(key, held)
    parts, lists, notices, objections, history, while_disputed = held
    return SubjectFile(
        subject_id,
        today,
        key,
        e,
        parts,
        lists,
        notices,
        objections,
        tuple(checks_about(access, subject_id, limit=checks)),
        history,
        while_disputed,
    )


_FromLedger = tuple[
    tuple[RecordPart, ...],
    tuple[ListPart, ...],
    tuple[Entry, ...],
    tuple[Objection, ...],
    tuple[ScorePoint, ...],
    str,
]
"""What of a subject's file follows from its ledger, the rulebook and the day alone."""


FileCache = ByRevision[_FromLedger]
"""The parts of subjects' files that follow from their ledgers: a subject reading their page
again, or after a check, is not judged again on the hundred days of their chart, nor are their
notices and objections read again."""


def _from_ledger(
    store: LedgerStore,
    portal: PortalQueries,
    rulebook: Rulebook,
    subject_id: str,
    today: date,
    ledger: list[LedgerRecord],
    e: Explanation,
) -> _FromLedger:
    a = e.assessment
    notices = tuple(notices_of(store, subject_id, limit=10_000))
    objections = tuple(objections_of(store, subject_id))
    counted = {c.record.record_id: c for c in a.contributions}
    left_out = {x.record.record_id: x for x in a.excluded}
    by_record: dict[str, list[Entry]] = {}
    for n in notices:
        by_record.setdefault(n.record_id, []).append(n)
    latest = {o.record_id: o for o in objections}
    recorded = portal.recorded_at(subject_id)
    parts = []
    for lr in sorted(
        ledger, key=lambda r: (r.record.occurred_at, r.record.record_id), reverse=True
    ):
        rid = lr.record.record_id
        c, x = counted.get(rid), left_out.get(rid)
        rule = c.rule if c else (x.rule if x else None)
        found = _rule(rulebook, lr, rule)
        parts.append(
            RecordPart(
                lr,
                rule,
                c.points if c else None,
                found.basis if found else None,
                c.expires_on if c else _expiry(lr, found),
                x.reason if x else None,
                objection_window(
                    store, rulebook, lr, by_record.get(rid, []), recorded_at=recorded.get
                ),
                latest.get(rid),
            )
        )
    return (
        tuple(parts),
        tuple(ListPart(entry, _repair(rulebook, entry)) for entry in a.lists),
        notices,
        objections,
        tuple(score_history(subject_id, rulebook, ledger, today)),
        a.version.pack.objection.while_disputed,
    )


def _rule(rulebook: Rulebook, lr: LedgerRecord, rule: str | None) -> Rule | None:
    """The rule that judged the record, in its pack's version in force when it occurred."""
    history = rulebook.record_pack(lr.record)
    version = history.in_force(lr.record.occurred_at) if history else None
    if version is None or rule is None:
        return None
    return next((r for r in version.pack.rules if r.id == rule), None)


def _expiry(lr: LedgerRecord, rule: Rule | None) -> date | None:
    """When a record that does not count today stops (or stopped) counting by time: shown
    for an expired record too, by the rule that gave its points (SPEC §4.3)."""
    if rule is None or rule.valid_days is None:
        return None
    return lr.record.occurred_at + timedelta(days=rule.valid_days)


def _repair(rulebook: Rulebook, entry: ListEntry) -> str | None:
    history = rulebook.record_pack(entry.record)
    version = history.in_force(entry.record.occurred_at) if history else None
    compiled = version.lists.get(entry.list_id) if version else None
    repair = compiled.spec.repair if compiled else None
    return repair.record if repair else None
