"""The judged ledger as the fold reads it: each record's date-independent verdict as columns of
small integers (`JudgedRecords`), the list entries it opens (`JudgedLists`), how packs, rules and
lists are numbered in them (`Numbering`), and the codes and day numbers they are written in.
What is done with them for a date is `fold`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from credo.domain.rules import ir
from credo.domain.rules.rulebook import Rulebook

# What may keep a record from ever counting, decided when it is judged; 0: it may count.
MAY_COUNT, WITHDRAWN, OVERTURNED, NO_RULE = 0, 1, 2, 3
# The reason a record does not count on D (§6 of SPEC's `explain`), in the order they are given;
# COUNTS: it does. LATER: it occurs after D, neither counted nor excluded.
REASONS: tuple[str | None, ...] = (
    None,
    "withdrawn",
    "overturned",
    "no-rule",
    "expired",
    "disputed",
    "merged",
    "later",
)
COUNTS, EXPIRED, DISPUTED, MERGED, LATER = 0, 4, 5, 6, 7
NEVER = 2**31 - 1  # the day of something that never comes: an expiry, a repair, a change
EPOCH = date(1970, 1, 1)

Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.signedinteger[Any]]


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_of(n: int) -> date:
    return EPOCH + timedelta(days=n)


@dataclass(frozen=True)
class Numbering:
    """How the judged ledger numbers packs, rules and lists: worked out from the rulebook, so a
    judged ledger is read with the rulebook it was judged by (its key holds the checksums).
    A pack's rules are numbered version by version, oldest first, in file order, as
    `credo.adapters.engines.sql.judged.rules` numbers them; rule numbers run on across packs."""

    packs: tuple[str, ...]
    versions: int  # the most versions any pack has: one points column per version
    rule_ids: tuple[str, ...]
    rule_offsets: tuple[int, ...]  # per pack: the global number of its first rule
    lists: tuple[str, ...]

    @classmethod
    def of(cls, rulebook: Rulebook) -> Numbering:
        rule_ids: list[str] = []
        offsets: list[int] = []
        lists: set[str] = set()
        for history in rulebook.packs.values():
            offsets.append(len(rule_ids))
            for v in history.versions:
                rule_ids += [b.rule_id for b in ir.rule_table(v.pack).branches]
                lists.update(v.lists)
        return cls(
            tuple(rulebook.packs),
            max((len(h.versions) for h in rulebook.packs.values()), default=1),
            tuple(rule_ids),
            tuple(offsets),
            tuple(sorted(lists)),
        )


@dataclass(frozen=True)
class JudgedRecords:
    """The judged ledger as columns, one row per record, sorted by subject number, then
    `occurred_at`, then record id. `points[k]`: what the record is worth while the k-th
    version of its pack (oldest first) is in force; the versions before its own repeat
    `p_then`, and are never read."""

    subject: Int32s
    starts: Ints  # per subject: its first row
    occurred: Int32s  # day numbers
    expires: Int32s  # NEVER when its rule sets no validity
    pack: npt.NDArray[np.int16]  # -1: no pack judges it
    rule: Int32s  # global rule number, -1: none
    fate: npt.NDArray[np.int8]  # MAY_COUNT, WITHDRAWN, OVERTURNED, NO_RULE
    disputed: Bools  # an objection to it is open
    case: Int32s  # -1 unless it shares a case with another record of its subject that may count
    place: Int32s  # its (region, kind)
    points: tuple[IntArray, ...]

    @property
    def subjects(self) -> int:
        return int(self.starts.size)


@dataclass(frozen=True)
class JudgedLists:
    """One row per list entry a record opens (by the version in force when it occurred; never
    for a withdrawn or overturned record)."""

    subject: Int32s
    list: Int32s
    pack: npt.NDArray[np.int16]
    since: Int32s
    days: Int32s  # the admitting version's duration_days
    repaired: Int32s  # the first repair's day, NEVER if none
    disputed: Bools
