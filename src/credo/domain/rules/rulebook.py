"""Adopted pack versions, which version is in force on a date, and which pack governs whom."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

import orjson

from credo.domain.errors import NoPackGoverns, NotInForce, article
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.ledger.subjects import governs
from credo.domain.rules import ir
from credo.domain.rules.packs import ListSpec, Pack, Tier
from credo.domain.scoring.evaluate import CompiledMatch, CompiledRules


def checksum(pack: Pack) -> str:
    """The identity of a version's content: comments and key order do not change it."""
    body = orjson.dumps(pack.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class CompiledList:
    spec: ListSpec
    admit: CompiledMatch
    repair: CompiledMatch | None


@dataclass(frozen=True)
class PackVersion:
    """One adopted version of a pack, with its rules compiled for the online path."""

    pack: Pack
    checksum: str = field(default="")

    def __post_init__(self) -> None:
        if not self.checksum:
            object.__setattr__(self, "checksum", checksum(self.pack))

    @property
    def id(self) -> str:
        return self.pack.pack

    @property
    def version(self) -> int:
        return self.pack.version

    @property
    def effective_from(self) -> date:
        return self.pack.effective_from

    @cached_property
    def rules(self) -> CompiledRules:
        return CompiledRules(ir.rule_table(self.pack))

    @cached_property
    def lists(self) -> dict[str, CompiledList]:
        return {
            spec.id: CompiledList(
                spec,
                CompiledMatch(ir.match(self.pack, spec.admit)),
                CompiledMatch(ir.match(self.pack, spec.repair)) if spec.repair else None,
            )
            for spec in self.pack.lists
        }

    def clamp(self, value: int) -> int:
        s = self.pack.score
        if s.floor is not None:
            value = max(value, s.floor)
        if s.ceiling is not None:
            value = min(value, s.ceiling)
        return value

    def tier(self, score: int) -> Tier:
        for tier in self.pack.tiers:
            if tier.min is None or tier.min <= score:
                return tier
        raise AssertionError("the checker ensures a final catch-all tier")


class PackHistory:
    """Every adopted version of one pack, oldest first."""

    def __init__(self, versions: Iterable[PackVersion]) -> None:
        self.versions: Sequence[PackVersion] = sorted(versions, key=lambda v: v.effective_from)
        self._starts = [v.effective_from for v in self.versions]
        latest = max(self.versions, key=lambda v: v.version)
        self.id = latest.id
        self.jurisdiction = latest.pack.jurisdiction
        self.subject_kinds = frozenset(latest.pack.subject_kinds)
        self.first_effective = self._starts[0]

    def in_force(self, on: date) -> PackVersion | None:
        """The version with the latest `effective_from` on or before the date (SPEC §4.1)."""
        i = bisect.bisect_right(self._starts, on)
        return self.versions[i - 1] if i else None

    def require(self, on: date) -> PackVersion:
        v = self.in_force(on)
        if v is None:
            first = self._starts[0].isoformat()
            raise NotInForce(f"pack `{self.id}` has no version in force on {on} (first: {first})")
        return v

    def latest(self) -> PackVersion:
        return max(self.versions, key=lambda v: v.version)

    def declaring(self, record_type: str, on: date) -> PackVersion | None:
        """The version whose schema a record is checked against: the one in force when it
        occurred if that declares its type, else the newest version that does."""
        now = self.in_force(on)
        if now is not None and record_type in now.pack.record_types:
            return now
        return self._newest_declaring.get(record_type)

    @cached_property
    def _newest_declaring(self) -> dict[str, PackVersion]:
        newest: dict[str, PackVersion] = {}
        for v in sorted(self.versions, key=lambda v: v.version):
            newest.update(dict.fromkeys(v.pack.record_types, v))
        return newest


class Rulebook:
    """All adopted packs, and which one governs what on a date (SPEC §1, §4.1).

    On a date, a region and kind are governed by the pack with the longest matching
    jurisdiction among those holding the kind **that have a version in force then**: adopting a
    more specific pack changes nothing before its first version takes effect. Before any
    matching pack is in force, the one that comes into force first is taken to govern (and, in
    force nowhere yet, gives no points: SPEC §4.6)."""

    def __init__(
        self, versions: Iterable[PackVersion], *, revised_at: datetime | None = None
    ) -> None:
        by_pack: dict[str, list[PackVersion]] = {}
        for v in versions:
            by_pack.setdefault(v.id, []).append(v)
        self.packs = {pid: PackHistory(vs) for pid, vs in sorted(by_pack.items())}
        # When a version was last adopted: a score stored before then may rest on another
        # rulebook than this one.
        self.revised_at = revised_at
        self._eras: dict[tuple[str, str], Eras] = {}

    def eras(self, region: str, kind: str) -> Eras:
        """Which pack governs `region` and `kind` from when: worked out once per pair."""
        key = (region, kind)
        found = self._eras.get(key)
        if found is None:
            found = self._eras[key] = _eras(self.packs.values(), region, kind)
        return found

    def governing_on(self, region: str, kind: str, on: date) -> PackHistory | None:
        return self.eras(region, kind).on(on)

    def record_pack(self, record: Record) -> PackHistory | None:
        """The pack that judges a record: the one governing its region and kind when it
        occurred (SPEC §4.1), whatever governs there later."""
        s = record.subject
        return self.governing_on(s.region, s.kind, record.occurred_at)

    def subject_pack(self, records: Sequence[LedgerRecord], on: date) -> PackHistory:
        """The pack whose base, bounds, tiers and measures apply to a subject on a date: the
        one governing, on that date, the region where the subject was last recorded."""
        region = current_region(records, on)
        kind = records[0].record.subject.kind
        found = self.governing_on(region, kind, on)
        if found is None:
            raise NoPackGoverns(f"no pack governs {article(kind)} in region {region}")
        return found

    def change_dates(self, regions: Iterable[str], kind: str, after: date) -> set[date]:
        """The later dates on which what governs these regions, or a version in force of a pack
        that does, changes: a score may move then."""
        dates: set[date] = set()
        for h in self.packs.values():
            if kind in h.subject_kinds and any(governs(h.jurisdiction, r) for r in regions):
                dates.update(v.effective_from for v in h.versions if v.effective_from > after)
        return dates

    def all_versions(self) -> list[PackVersion]:
        return [v for h in self.packs.values() for v in h.versions]


def current_region(records: Sequence[LedgerRecord], on: date) -> str:
    """Where a subject is on a date: the region of its latest record occurring on or before it
    (ties to the larger record id, so the order records arrive in never matters), or of its
    first record if none has occurred yet."""
    occurred = [lr.record for lr in records if lr.record.occurred_at <= on]
    if occurred:
        latest = max(occurred, key=lambda r: (r.occurred_at, r.record_id))
        return latest.subject.region
    first = min((lr.record for lr in records), key=lambda r: (r.occurred_at, r.record_id))
    return first.subject.region


@dataclass(frozen=True, slots=True)
class Eras:
    """The packs governing one region and kind, each from the day it takes over."""

    starts: tuple[date, ...]
    packs: tuple[PackHistory, ...]
    before: PackHistory | None  # before the first start: the pack that comes into force first

    def on(self, day: date) -> PackHistory | None:
        i = bisect.bisect_right(self.starts, day)
        return self.packs[i - 1] if i else self.before


def _eras(histories: Iterable[PackHistory], region: str, kind: str) -> Eras:
    candidates = sorted(
        (h for h in histories if kind in h.subject_kinds and governs(h.jurisdiction, region)),
        key=lambda h: (h.first_effective, -len(h.jurisdiction), h.id),
    )
    starts: list[date] = []
    packs: list[PackHistory] = []
    best: PackHistory | None = None
    for h in candidates:
        # From its first day, a pack governs if it is more specific than the one governing.
        if best is None or (len(h.jurisdiction), h.id) > (len(best.jurisdiction), best.id):
            best = h
            if starts and starts[-1] == h.first_effective:
                packs[-1] = h
            else:
                starts.append(h.first_effective)
                packs.append(h)
    return Eras(tuple(starts), tuple(packs), packs[0] if packs else None)
