"""Judge once, fold often: SPEC §4 split at the date.

Most of a record's verdict does not depend on the date `D` a score is taken on: the pack that judges
it (§4.1, by its region on its `occurred_at`), the version in force then, the first rule it hits,
its points `p_then`, what it is worth under each later version of its pack (§4.3), its expiry day,
whether it can count at all (withdrawn, overturned, no rule: §4.2, §4.6, §4.7), whether an objection
to it is open, the case it shares with others of its subject (§4.4), the list entries it opens and
the day a repair ends them (§4.8). That is the **judged ledger** (`judged`: its columns and
numbering), kept per ledger and rulebook (see `credo.adapters.engines.sql.judge`, which works it out
from the same rule tree as the online path).

What does depend on `D` is small: which version of each pack is in force on `D` (and so which
of a record's points apply, whether open objections suspend, which caps hold its rule, how long
its lists last, the subject's base, bounds and tiers), which records have occurred and which
have expired, and where each subject is. That is the **fold**, below, over the judged ledger as
columns (NumPy arrays), for one date:

1. a record counts if it may count at all, occurred ≤ D < its expiry, and is not under an open
   objection while its pack's version in force on D suspends disputed records;
2. its points are those under its pack's version in force on D: `max(p_then, min(p_now, 0))`
   for a penalty, `p_then` for a reward, worked out for every version when it was judged;
3. among the counting records of a case, the largest |points| counts, ties to the earliest
   record (the judged ledger is sorted by subject, `occurred_at`, record id); the others are
   merged. Only cases that can hold more than one record carry a case number;
4. rewards of a capped rule (by the version in force on D) count oldest first up to the cap:
   for the score, `min(sum, max)` per subject and cap;
5. `score = clamp(base + Σ points)` with the base and bounds of the pack governing the
   subject's current region on D (the region of its latest record by D, or of its first), the
   tier by a binary search over the tiers' `min`s;
6. list entries open on D: admitted by the version in force when their record occurred,
   lasting the shorter of its `duration_days` and that of the version in force on D (which must
   still have the list), ended early by the first repair, void while suspended.

A score is valid until the first later day on which a record occurs or expires, a list entry
ends, or any version comes into force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.judged import (
    COUNTS,
    DISPUTED,
    EXPIRED,
    LATER,
    MAY_COUNT,
    MERGED,
    NEVER,
    Bools,
    Int32s,
    IntArray,
    Ints,
    JudgedLists,
    JudgedRecords,
    Numbering,
    day_number,
)


@dataclass(frozen=True)
class Day:
    """Everything the fold needs from the rulebook on one date. Arrays by pack have one more
    slot at the end, read by pack number -1 (none)."""

    day: int
    version: Int32s  # per pack: index of the version in force, -1 none
    suspend: Bools  # per pack: its version in force suspends disputed records
    cap_of_rule: Int32s  # per global rule: the cap of its pack's version in force, -1 none
    cap_max: Ints
    base: Ints
    floor: Ints
    ceiling: Ints
    tier_mins: tuple[Ints, ...]  # per pack, ascending; the catch-all tier has none
    tier_offset: Int32s  # per pack: where its tiers start in `tier_names`
    tier_names: tuple[str, ...]  # per pack, from the top
    list_days: Int32s  # [pack, list]: duration_days of the version in force, -1: no such list
    governs: Int32s  # per place: the pack governing it on the day, -1 none
    next_version: int  # the first later day any version comes into force, NEVER if none

    @classmethod
    def on(
        cls, rulebook: Rulebook, numbering: Numbering, places: list[tuple[str, str]], d: date
    ) -> Day:
        n = len(numbering.packs)
        version = np.full(n + 1, -1, np.int32)
        suspend = np.zeros(n + 1, np.bool_)
        cap_of_rule = np.full(len(numbering.rule_ids) + 1, -1, np.int32)
        cap_max: list[int] = []
        lowest, highest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
        base = np.zeros(n + 1, np.int64)
        floor = np.full(n + 1, lowest, np.int64)
        ceiling = np.full(n + 1, highest, np.int64)
        tier_mins: list[Ints] = []
        tier_offset = np.zeros(n + 1, np.int32)
        tier_names: list[str] = []
        list_days = np.full((n + 1, max(len(numbering.lists), 1)), -1, np.int32)
        list_no = {name: i for i, name in enumerate(numbering.lists)}
        pack_no = {pid: i for i, pid in enumerate(numbering.packs)}
        for p, history in enumerate(rulebook.packs.values()):
            tier_offset[p] = len(tier_names)
            now = history.in_force(d)
            if now is None:
                tier_mins.append(np.zeros(0, np.int64))
                continue
            version[p] = list(history.versions).index(now)
            suspend[p] = now.pack.objection.while_disputed == "suspend"
            spec = now.pack.score
            base[p] = spec.base
            if spec.floor is not None:
                floor[p] = spec.floor
            if spec.ceiling is not None:
                ceiling[p] = spec.ceiling
            tier_names += [t.name for t in now.pack.tiers]
            tier_mins.append(
                np.array(sorted(t.min for t in now.pack.tiers if t.min is not None), np.int64)
            )
            for list_id, listed in now.lists.items():
                list_days[p, list_no[list_id]] = listed.spec.duration_days
            # A rule under two caps falls under the first; caps are by rule id, whichever
            # version's rule the record hit.
            first_cap: dict[str, int] = {}
            for cap in reversed(now.pack.caps):
                first_cap.update(dict.fromkeys(cap.rules, len(cap_max)))
                cap_max.append(cap.max)
            offset = numbering.rule_offsets[p]
            end = numbering.rule_offsets[p + 1] if p + 1 < n else len(numbering.rule_ids)
            for g in range(offset, end):
                cap_of_rule[g] = first_cap.get(numbering.rule_ids[g], -1)
        governs = np.full(len(places) + 1, -1, np.int32)
        for i, (region, kind) in enumerate(places):
            found = rulebook.governing_on(region, kind, d)
            if found is not None:
                governs[i] = pack_no[found.id]
        later = [v.effective_from for v in rulebook.all_versions() if v.effective_from > d]
        return cls(
            day_number(d),
            version,
            suspend,
            cap_of_rule,
            np.array([*cap_max, 0], np.int64),
            base,
            floor,
            ceiling,
            tuple(tier_mins),
            tier_offset,
            tuple(tier_names),
            list_days,
            governs,
            day_number(min(later)) if later else NEVER,
        )


@dataclass(frozen=True)
class Folded:
    """The fold's answer on one date. Per subject: `known` (its pack has a version in force),
    `pack` (the governing pack, -1 none), `place` (where it is on D), `score`, `tier` (into
    `Day.tier_names`), `valid_until`. Per judged list row: `open`, `until`. Per record, when
    asked for: `reason` (into `REASONS`), `points` (§4.3 on D), `counted` (after caps)."""

    known: Bools
    pack: Int32s
    place: Int32s
    score: Ints
    tier: Int32s
    valid_until: Ints
    open: Bools
    until: Ints
    reason: npt.NDArray[np.int8] | None = None
    points: Ints | None = None
    counted: Ints | None = None


def fold(j: JudgedRecords, lists: JudgedLists, day: Day, *, detail: bool = False) -> Folded:
    d = day.day
    n = j.subject.size
    if n == 0:
        empty, none = np.zeros(0, np.int64), np.zeros(0, np.bool_)
        return Folded(
            none,
            empty.astype(np.int32),
            empty.astype(np.int32),
            empty,
            empty.astype(np.int32),
            empty,
            np.zeros(lists.subject.size, np.bool_),
            np.zeros(lists.subject.size, np.int64),
        )
    points = _points_on(j, day)
    occurred = j.occurred <= d
    counts = occurred & (j.expires > d) & (j.fate == MAY_COUNT)
    suspended = None
    if day.suspend.any():
        # Few records are disputed: their packs are looked up, not everyone's.
        disputed = np.flatnonzero(j.disputed)
        suspended = np.zeros(n, np.bool_)
        suspended[disputed[day.suspend[j.pack[disputed]]]] = True
        counts &= ~suspended
    merged = _merge(j, points, counts)
    counts[merged] = False
    counted = _cap(j, day, points, counts)
    total = np.add.reduceat(np.where(counts, counted, 0), j.starts, dtype=np.int64)

    # Where each subject is on D: the place of its last record by then, or of its first.
    by_then = np.add.reduceat(occurred, j.starts, dtype=np.int64)
    current = j.starts + np.maximum(by_then - 1, 0)
    place = j.place[current]
    pack = day.governs[place]
    known = day.version[pack] >= 0
    score = np.clip(day.base[pack] + total, day.floor[pack], day.ceiling[pack])
    tier = np.zeros(score.size, np.int32)
    for p, mins in enumerate(day.tier_mins):
        here = np.flatnonzero(pack == p)
        if here.size and known[here[0]]:
            below = mins.size - np.searchsorted(mins, score[here], side="right")
            tier[here] = day.tier_offset[p] + below

    # The first later day a record occurs or expires, counting or not.
    change = np.where(j.occurred > d, j.occurred, np.where(j.expires > d, j.expires, NEVER))
    valid = np.minimum.reduceat(change, j.starts).astype(np.int64)
    now_days = day.list_days[lists.pack, lists.list]
    until = np.minimum(
        lists.since.astype(np.int64) + np.minimum(lists.days, now_days), lists.repaired
    )
    open_ = (now_days >= 0) & (lists.since <= d) & (d < until) & known[lists.subject]
    if suspended is not None:
        open_ &= ~(lists.disputed & day.suspend[lists.pack])
    np.minimum.at(valid, lists.subject[open_], until[open_])
    valid = np.minimum(valid, day.next_version)
    folded = Folded(known, pack, place, score, tier, valid, open_, until)
    if not detail:
        return folded
    was_merged = np.zeros(n, np.bool_)
    was_merged[merged] = True
    reason = np.select(
        [
            ~occurred,
            j.fate != MAY_COUNT,
            j.expires <= d,
            suspended if suspended is not None else np.zeros(n, np.bool_),
            was_merged,
        ],
        [np.int8(LATER), j.fate, np.int8(EXPIRED), np.int8(DISPUTED), np.int8(MERGED)],
        np.int8(COUNTS),
    ).astype(np.int8)
    return Folded(
        known,
        pack,
        place,
        score,
        tier,
        valid,
        open_,
        until,
        reason,
        points.astype(np.int64),
        counted.astype(np.int64),
    )


def _points_on(j: JudgedRecords, day: Day) -> IntArray:
    """Each record's points under its pack's version in force on D (version -1: its pack has
    none, so the record occurs later and never counts; any column will do). When every pack is
    at the same version the column is read as it is."""
    used = sorted({int(v) for v in day.version[:-1] if v >= 0}) or [0]
    points = j.points[used[0]]
    if len(used) > 1:
        version = day.version[j.pack]
        for k in used[1:]:
            points = np.where(version == k, j.points[k], points)
    return points


def _merge(j: JudgedRecords, points: IntArray, counts: Bools) -> Ints:
    """The rows merged into another record of their case (§4.4): among the counting rows of a
    case, all but the largest |points|, ties to the earliest row."""
    rows = np.flatnonzero(counts & (j.case >= 0))
    if rows.size == 0:
        return rows
    order = rows[np.lexsort((rows, -np.abs(points[rows]), j.case[rows]))]
    cases = j.case[order]
    later = np.ones(order.size, np.bool_)
    later[0] = False
    later[1:] = cases[1:] == cases[:-1]
    return order[later]


def _cap(j: JudgedRecords, day: Day, points: IntArray, counts: Bools) -> IntArray:
    """Points after caps: the rewards of each (subject, cap) count oldest first, each for what
    is left of the cap; for the score that is `min(sum, max)`."""
    rows = np.flatnonzero(counts & (points > 0))
    caps = day.cap_of_rule[j.rule[rows]]
    held = caps >= 0
    rows, caps = rows[held], caps[held]
    if rows.size == 0:
        return points
    # Rows are ascending, so by subject and oldest first: a stable sort by cap keeps that
    # order within each (subject, cap); with one cap in force there is nothing to sort.
    subjects = j.subject[rows]
    if day.cap_max.size > 2:
        order = np.argsort(subjects.astype(np.int64) * day.cap_max.size + caps, kind="stable")
        rows, caps, subjects = rows[order], caps[order], subjects[order]
    given = points[rows].astype(np.int64)
    starts = np.ones(rows.size, np.bool_)
    starts[1:] = (subjects[1:] != subjects[:-1]) | (caps[1:] != caps[:-1])
    running = np.cumsum(given)
    first = np.flatnonzero(starts)
    lengths = np.diff(np.append(first, rows.size))
    before = running - np.repeat(running[first] - given[first], lengths) - given
    allowed = np.minimum(given, np.maximum(0, day.cap_max[caps] - before))
    out = points.copy()
    out[rows] = allowed  # never more than the points given, so the type holds them
    return out
