"""Scores, tiers and the reasons for them: SPEC §4, clauses 1 to 7, for one subject on one date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from credo.domain.evaluate import Hit
from credo.domain.lists import ListEntry, list_entries
from credo.domain.records import LedgerRecord, Record
from credo.domain.rulebook import PackHistory, PackVersion

Reason = Literal["expired", "withdrawn", "overturned", "disputed", "merged", "no-rule"]


@dataclass(frozen=True, slots=True)
class Contribution:
    record: Record
    rule: str
    points: int
    expires_on: date | None
    points_then: int
    capped_by: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    record: Record
    reason: Reason
    rule: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """A subject's score on a date, with every record's part in it."""

    subject_id: str
    as_of: date
    version: PackVersion
    score: int
    tier: str
    contributions: tuple[Contribution, ...]
    excluded: tuple[Exclusion, ...]
    lists: tuple[ListEntry, ...]

    @property
    def base(self) -> int:
        return self.version.pack.score.base

    @property
    def unclamped(self) -> int:
        return self.base + sum(c.points for c in self.contributions)


def assess(
    subject_id: str,
    history: PackHistory,
    records: Sequence[LedgerRecord],
    as_of: date,
    *,
    lists: bool = True,
    hits: RuleHits | None = None,
) -> Assessment:
    """The subject's score on `as_of`. `lists=False` skips the list entries when only the score
    and tier are wanted; `hits` shares rule matches between assessments of the same records."""
    hits = hits or RuleHits()
    now = history.require(as_of)
    suspend = now.pack.objection.while_disputed == "suspend"
    counting: list[Contribution] = []
    excluded: list[Exclusion] = []
    for lr in records:
        r = lr.record
        if r.occurred_at > as_of:
            continue
        verdict = _judge(lr, history, now, as_of, suspend, hits)
        if isinstance(verdict, Exclusion):
            excluded.append(verdict)
        else:
            counting.append(verdict)
    kept, merged = _merge_cases(counting)
    excluded.extend(merged)
    kept = _apply_caps(now, kept)
    kept.sort(key=lambda c: (c.record.occurred_at, c.record.record_id))
    excluded.sort(key=lambda e: (e.record.occurred_at, e.record.record_id))
    score = now.clamp(now.pack.score.base + sum(c.points for c in kept))
    return Assessment(
        subject_id=subject_id,
        as_of=as_of,
        version=now,
        score=score,
        tier=now.tier(score).name,
        contributions=tuple(kept),
        excluded=tuple(excluded),
        lists=tuple(list_entries(history, records, as_of)) if lists else (),
    )


class RuleHits:
    """The rule each record matches in each version, worked out once: a record's match does not
    depend on the date, so scoring one subject on many dates need not repeat it."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[tuple[int, str], Hit | None] = {}

    def match(self, version: PackVersion, record: Record) -> Hit | None:
        key = (id(version), record.record_id)
        if key not in self._seen:
            self._seen[key] = version.rules.match(record.type, record.attributes)
        return self._seen[key]


def _judge(
    lr: LedgerRecord,
    history: PackHistory,
    now: PackVersion,
    as_of: date,
    suspend: bool,
    hits: RuleHits,
) -> Contribution | Exclusion:
    r, status = lr.record, lr.status
    if status.withdrawn:
        return Exclusion(r, "withdrawn")
    if status.overturned:
        return Exclusion(r, "overturned")
    then = history.in_force(r.occurred_at)
    hit = hits.match(then, r) if then else None
    if hit is None:  # SPEC §4.6: before any version, or no rule matches
        return Exclusion(r, "no-rule")
    points = hit.points
    if points < 0:  # SPEC §4.3: a milder rule in force now applies; a repealed one gives 0
        now_hit = hits.match(now, r)
        points = max(points, min(now_hit.points if now_hit else 0, 0))
    expires = r.occurred_at + timedelta(days=hit.valid_days) if hit.valid_days else None
    if expires is not None and expires <= as_of:
        return Exclusion(r, "expired", hit.rule_id)
    if suspend and status.disputed:
        return Exclusion(r, "disputed", hit.rule_id)
    return Contribution(r, hit.rule_id, points, expires, hit.points)


def _merge_cases(counting: list[Contribution]) -> tuple[list[Contribution], list[Exclusion]]:
    """SPEC §4.4: records sharing a case_ref count once, the one with the largest |points|,
    ties to the earliest occurrence, then the smallest record id."""
    kept: list[Contribution] = []
    cases: dict[str, list[Contribution]] = {}
    for c in counting:
        if c.record.case_ref:
            cases.setdefault(c.record.case_ref, []).append(c)
        else:
            kept.append(c)
    merged: list[Exclusion] = []
    for group in cases.values():
        group.sort(key=lambda c: (-abs(c.points), c.record.occurred_at, c.record.record_id))
        winner = group[0]
        kept.append(winner)
        merged.extend(
            Exclusion(c.record, "merged", c.rule, winner.record.record_id) for c in group[1:]
        )
    return kept, merged


def _apply_caps(now: PackVersion, kept: list[Contribution]) -> list[Contribution]:
    """Caps of the version in force: rewards from the capped rules count, oldest first, until
    the cap is reached; later ones count for what is left of it."""
    if not now.pack.caps:
        return kept
    out = list(kept)
    for cap in now.pack.caps:
        rules = set(cap.rules)
        idx = [i for i, c in enumerate(out) if c.rule in rules and c.points > 0]
        idx.sort(key=lambda i: (out[i].record.occurred_at, out[i].record.record_id))
        left = cap.max
        for i in idx:
            c = out[i]
            allowed = min(c.points, left)
            left -= allowed
            if allowed != c.points:
                out[i] = replace(c, points=allowed, capped_by=cap.id)
    return out
