"""A record's date-independent verdict, judged on its own (`Verdict`, by `Judge`): what a store
keeps beside each record so that its judged ledger grows with the ledger, one record at a time.

It is the judged ledger of `credo.domain.scoring.judged` before numbering: the same facts
(`credo.adapters.engines.sql.judge` works them out in SQL for a whole ledger), with every part
that depends on other records left to be worked out when the verdicts are read together:

- whether a case can hold more than one record that may count (the fold merges only those);
- when a list entry is repaired: a verdict names the repairs it *can* make (`repairs`, keyed by
  the admitting pack version and list), and an entry's first repair is the earliest record of
  the same subject and case, not withdrawn or overturned, on or after the admission, that can
  make it.

A record's status is kept beside its verdict and changes with it (withdrawn, overturned, under
open objection); nothing else in a verdict changes unless the rulebook does.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple, cast

import orjson

from credo.domain.ledger.records import ACTIVE, LedgerRecord, Record, RecordStatus
from credo.domain.rules import ir
from credo.domain.rules.rulebook import PackHistory, PackVersion, Rulebook
from credo.domain.scoring.evaluate import Attributes, CompiledMatch


@dataclass(frozen=True, slots=True)
class Admission:
    """A list entry a record opens, by the version of its pack in force when it occurred."""

    list_id: str
    days: int  # that version's duration_days
    repair: str | None  # the key of that version's repair for this list, None: none


class Verdict(NamedTuple):
    """A tuple, not a dataclass: made for every record taken, it costs a fifth as much."""

    record_id: str
    subject_id: str
    region: str
    kind: str
    occurred_at: date
    case_ref: str | None
    pack: str | None  # the pack that judges it; None: none governs its region then
    rule: int | None  # its rule, numbered within its pack as `judged.Numbering` does; None: none
    expires_on: date | None
    points: int  # p_then: what it is worth by the version in force when it occurred
    later: tuple[tuple[int, int], ...]  # (version index, points) where a later one differs
    admits: tuple[Admission, ...]
    repairs: tuple[str, ...]  # the repair keys this record matches (only with a case_ref)
    status: RecordStatus

    def with_status(self, status: RecordStatus) -> Verdict:
        return self._replace(status=status)


def repair_key(version: PackVersion, list_id: str) -> str:
    return f"{version.id}@{version.version}/{list_id}"


def rulebook_key(rulebook: Rulebook) -> str:
    """What verdicts are judged by: every adopted version, by pack, number and checksum."""
    h = hashlib.sha256(b"credo-verdicts-1")
    for v in sorted(rulebook.all_versions(), key=lambda v: (v.id, v.version)):
        h.update(f"\0{v.id}\0{v.version}\0{v.checksum}".encode())
    return h.hexdigest()[:32]


# How a store keeps a verdict: one row, its rare parts (milder points under later versions,
# list admissions and repairs) as JSON text, NULL when empty, as most are.
VERDICT_FIELDS = (
    "record_id",
    "subject_id",
    "region",
    "kind",
    "occurred_at",
    "case_ref",
    "pack",
    "rule",
    "expires_on",
    "points",
    "later",
    "lists",
    "withdrawn",
    "overturned",
    "disputed",
)

VERDICT_KEPT = VERDICT_FIELDS[6:]
"""What a database keeps of a verdict beside its record, which holds the rest (id, subject,
region, kind, occurrence, case)."""

VerdictRow = tuple[Any, ...]


def verdict_row(v: Verdict) -> VerdictRow:
    s = v.status
    if not (v.later or v.admits or v.repairs):  # most records: nothing to encode
        return (*v[:10], None, None, s.withdrawn, s.overturned, s.disputed)
    lists = None
    if v.admits or v.repairs:
        admits = [[a.list_id, a.days, a.repair] for a in v.admits]
        lists = orjson.dumps({"admits": admits, "repairs": list(v.repairs)}).decode()
    return (
        v.record_id,
        v.subject_id,
        v.region,
        v.kind,
        v.occurred_at,
        v.case_ref,
        v.pack,
        v.rule,
        v.expires_on,
        v.points,
        orjson.dumps([list(p) for p in v.later]).decode() if v.later else None,
        lists,
        s.withdrawn,
        s.overturned,
        s.disputed,
    )


_JUDGES: weakref.WeakKeyDictionary[Rulebook, Judge] = weakref.WeakKeyDictionary()


def judge_for(rulebook: Rulebook) -> Judge:
    """The rulebook's judge, made once per rulebook (a server keeps one for many requests)."""
    found = _JUDGES.get(rulebook)
    if found is None:
        found = _JUDGES[rulebook] = Judge(rulebook)
    return found


class Judge:
    """Verdicts by one rulebook. Holds what it works out per pack version (rule numbers, which
    lists may admit and which repairs may be made by a record of each type), so judging many
    records costs a rule match per version and a test per list that could apply."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.key = rulebook_key(rulebook)
        self._numbers: dict[int, dict[str, int]] = {}  # id(version) → rule id → number
        # id(version) → record type → the lists whose admit names it: (id, days, repair key)
        self._admitting: dict[int, dict[str, list[tuple[str, CompiledMatch, int, str | None]]]]
        self._admitting = {}
        # record type → the repairs a record of it may make: (key, match)
        self._repairing: dict[str, list[tuple[str, CompiledMatch]]] = {}
        for h in rulebook.packs.values():
            for v in h.versions:
                by_type = self._admitting.setdefault(id(v), {})
                for list_id, compiled in v.lists.items():
                    key = repair_key(v, list_id) if compiled.repair is not None else None
                    admit = compiled.admit
                    days = compiled.spec.duration_days
                    by_type.setdefault(admit.record_type, []).append((list_id, admit, days, key))
                    if compiled.repair is not None and key is not None:
                        repair = compiled.repair
                        self._repairing.setdefault(repair.record_type, []).append((key, repair))

    def verdict(self, lr: LedgerRecord) -> Verdict:
        return self.verdict_of(lr.record, lr.status)

    def verdict_of(self, r: Record, status: RecordStatus = ACTIVE) -> Verdict:
        s = r.subject
        return self.verdict_from(
            r.record_id, s.id, s.region, s.kind, r.occurred_at, r.type, r.attributes,
            r.case_ref, status,
        )  # fmt: skip

    def verdict_from(
        self,
        record_id: str,
        subject_id: str,
        region: str,
        kind: str,
        occurred_at: date,
        record_type: str,
        attributes: Attributes,
        case_ref: str | None,
        status: RecordStatus = ACTIVE,
    ) -> Verdict:
        """A record's verdict from its parts, as a ledger read as columns gives them."""
        history = self.rulebook.governing_on(region, kind, occurred_at)
        then = history.in_force(occurred_at) if history else None
        rule: int | None = None
        expires: date | None = None
        points, later = 0, cast(tuple[tuple[int, int], ...], ())
        admits: tuple[Admission, ...] = ()
        if history is not None and then is not None:
            lists = self._admitting[id(then)].get(record_type)
            if lists:
                admits = tuple(
                    Admission(list_id, days, key)
                    for list_id, admit, days, key in lists
                    if admit(record_type, attributes)
                )
            hit = then.rules.match(record_type, attributes)
            if hit is not None:
                rule = self._number(history, then, hit.rule_id)
                if hit.valid_days:
                    expires = occurred_at + timedelta(days=hit.valid_days)
                points = hit.points
                later = _milder(history, then, hit.points, record_type, attributes)
        repairs: tuple[str, ...] = ()
        if case_ref and (candidates := self._repairing.get(record_type)):
            repairs = tuple(key for key, m in candidates if m(record_type, attributes))
        return Verdict(
            record_id,
            subject_id,
            region,
            kind,
            occurred_at,
            case_ref,
            history.id if history else None,
            rule,
            expires,
            points,
            later,
            admits,
            repairs,
            status,
        )

    def _number(self, history: PackHistory, then: PackVersion, rule_id: str) -> int:
        numbers = self._numbers.get(id(then))
        if numbers is None:
            offset = 0
            for v in history.versions:
                branches = ir.rule_table(v.pack).branches
                if v is then:
                    numbers = {b.rule_id: offset + i for i, b in enumerate(branches)}
                    break
                offset += len(branches)
            assert numbers is not None
            self._numbers[id(then)] = numbers
        return numbers[rule_id]


def _milder(
    history: PackHistory, then: PackVersion, p_then: int, record_type: str, attributes: Attributes
) -> tuple[tuple[int, int], ...]:
    """Where a later version makes a penalty milder (SPEC §4.3): softened by a milder rule, or
    repealed (0) by a version without a rule for it; under every other version, and always
    for a reward, the record is worth `p_then`."""
    if p_then >= 0:
        return ()
    out: list[tuple[int, int]] = []
    past_then = False
    for k, v in enumerate(history.versions):
        if past_then:
            now = v.rules.match(record_type, attributes)
            points = max(p_then, min(now.points if now else 0, 0))
            if points != p_then:
                out.append((k, points))
        past_then = past_then or v is then
    return tuple(out)
