"""Adopted pack versions, which version is in force on a date, and which pack governs whom."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import orjson

from credo.domain import ir
from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.evaluate import CompiledMatch, CompiledRules
from credo.domain.packs import ListSpec, Pack, Tier
from credo.domain.subjects import Subject, governs


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
    """All adopted packs. Subjects are governed by the longest matching jurisdiction, then by
    the pack that names their kind (SPEC §1)."""

    def __init__(self, versions: Iterable[PackVersion]) -> None:
        by_pack: dict[str, list[PackVersion]] = {}
        for v in versions:
            by_pack.setdefault(v.id, []).append(v)
        self.packs = {pid: PackHistory(vs) for pid, vs in sorted(by_pack.items())}
        self._cache: dict[tuple[str, str], PackHistory | None] = {}

    def governing(self, subject: Subject) -> PackHistory:
        found = self.find_governing(subject)
        if found is None:
            raise NoPackGoverns(f"no pack governs a {subject.kind} in region {subject.region}")
        return found

    def find_governing(self, subject: Subject) -> PackHistory | None:
        key = (subject.region, subject.kind)
        if key not in self._cache:
            self._cache[key] = self._find(subject)
        return self._cache[key]

    def _find(self, subject: Subject) -> PackHistory | None:
        candidates = [
            h
            for h in self.packs.values()
            if governs(h.jurisdiction, subject.region) and subject.kind in h.subject_kinds
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda h: (len(h.jurisdiction), h.id))

    def all_versions(self) -> list[PackVersion]:
        return [v for h in self.packs.values() for v in h.versions]
