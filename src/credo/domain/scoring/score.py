"""Scores, tiers and the reasons for them: SPEC §4, clauses 1 to 7, for one subject on one date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.rulebook import PackHistory, PackVersion, Rulebook
from credo.domain.scoring.evaluate import Hit
from credo.domain.scoring.lists import ListEntry, list_entries

Reason = Literal["expired", "withdrawn", "overturned", "disputed", "merged", "no-rule"]


@dataclass(frozen=True, slots=True)
class Contribution:
    record: Record
    rule: str
    points: int
    expires_on: date | None
    points_then: int
    capped_by: str | None = None
    pack: str | None = None  # the pack that judged it, which may not be the subject's
    version: PackVersion | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Exclusion:
    record: Record
    reason: Reason
    rule: str | None = None
    merged_into: str | None = None
    pack: str | None = None


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
    rulebook: Rulebook,
    records: Sequence[LedgerRecord],
    as_of: date,
    *,
    lists: bool = True,
    hits: RuleHits | None = None,
) -> Assessment:
    """The subject's score on `as_of` (SPEC §4.1–4.7). Each record is judged by the pack that
    governed its own region when it occurred; base, bounds and tiers come from the pack that
    governs the subject's current region on `as_of`. `lists=False` skips the list entries when
    only the score and tier are wanted; `hits` shares rule matches between assessments of the
    same records."""
    hits = hits or RuleHits()
    now = rulebook.subject_pack(records, as_of).require(as_of)
    counting: list[Contribution] = []
    excluded: list[Exclusion] = []
    for lr in records:
        r = lr.record
        if r.occurred_at > as_of:
            continue
        verdict = judge(lr, rulebook.record_pack(r), as_of, hits)
        if isinstance(verdict, Exclusion):
            excluded.append(verdict)
        else:
            counting.append(verdict)
    kept, merged = _merge_cases(counting)
    excluded.extend(merged)
    kept = _apply_caps(kept)
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
        lists=tuple(list_entries(rulebook, records, as_of)) if lists else (),
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


def judge(
    lr: LedgerRecord,
    history: PackHistory | None,
    as_of: date,
    hits: RuleHits,
    *,
    disputes: bool = True,
) -> Contribution | Exclusion:
    """A record's verdict on its own, by its own pack: the version in force when it occurred
    gives its rule, points and expiry; the version in force on `as_of` its milder penalty and
    whether an open objection suspends it (`disputes=False` leaves objections out)."""
    r, status = lr.record, lr.status
    pack = history.id if history else None
    if status.withdrawn:
        return Exclusion(r, "withdrawn", pack=pack)
    if status.overturned:
        return Exclusion(r, "overturned", pack=pack)
    then = history.in_force(r.occurred_at) if history else None
    hit = hits.match(then, r) if then else None
    if history is None or hit is None:  # SPEC §4.6: before any version, or no rule matches
        return Exclusion(r, "no-rule", pack=pack)
    now = history.require(as_of)  # in force since the record occurred, so in force now
    points = hit.points
    if points < 0:  # SPEC §4.3: a milder rule in force now applies; a repealed one gives 0
        now_hit = hits.match(now, r)
        points = max(points, min(now_hit.points if now_hit else 0, 0))
    expires = r.occurred_at + timedelta(days=hit.valid_days) if hit.valid_days else None
    if expires is not None and expires <= as_of:
        return Exclusion(r, "expired", hit.rule_id, pack=pack)
    if disputes and status.disputed and now.pack.objection.while_disputed == "suspend":
        return Exclusion(r, "disputed", hit.rule_id, pack=pack)
    return Contribution(r, hit.rule_id, points, expires, hit.points, pack=pack, version=now)


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
            Exclusion(c.record, "merged", c.rule, winner.record.record_id, c.pack)
            for c in group[1:]
        )
    return kept, merged


def _apply_caps(kept: list[Contribution]) -> list[Contribution]:
    """Caps of each pack's version in force, over the records that pack judged: rewards from
    the capped rules count, oldest first, until the cap is reached; later ones count for what
    is left of it."""
    out = list(kept)
    versions = {c.version.id: c.version for c in out if c.version is not None}
    for version in versions.values():
        for cap in version.pack.caps:
            rules = set(cap.rules)
            idx = [
                i
                for i, c in enumerate(out)
                if c.pack == version.id and c.rule in rules and c.points > 0
            ]
            idx.sort(key=lambda i: (out[i].record.occurred_at, out[i].record.record_id))
            left = cap.max
            for i in idx:
                c = out[i]
                allowed = min(c.points, left)
                left -= allowed
                if allowed != c.points:
                    out[i] = replace(c, points=allowed, capped_by=cap.id)
    return out
