"""Nothing is made harsher after the fact (SPEC §3): which records a new rulebook would judge
more harshly than the rulebook in force judges them.

A record is judged more harshly if, on some date, it would count for fewer points (a larger
penalty, a smaller reward, a penalty expiring later, a reward expiring sooner) or it would hold
its subject on a black list, or off a red list, where it does not now. Merges and caps are left
out: they weigh records against each other, and a harder verdict for one record shows here on
its own.

How a record counts changes only on the dates where something about it does: its occurrence,
its expiry, a version of a pack coming into force, a list entry ending. Comparing the two
rulebooks on each of those dates compares them on every date.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.lists import ListEntry, list_entries
from credo.domain.scoring.score import Contribution, RuleHits, judge


@dataclass(frozen=True, slots=True)
class Hardened:
    """One record the new rulebook would judge more harshly, with the first date it would."""

    record: Record
    on: date
    how: str


def hardened(
    before: Rulebook, after: Rulebook, ledgers: Iterable[Sequence[LedgerRecord]]
) -> Iterator[Hardened]:
    """Every record of these subjects' ledgers (one sequence per subject) that `after` judges
    more harshly than `before`, at most once each, in ledger order."""
    hits_before, hits_after = RuleHits(), RuleHits()
    dates = _VersionDates(before, after)
    for records in ledgers:
        standing = [lr for lr in records if not (lr.status.withdrawn or lr.status.overturned)]
        found: dict[str, Hardened] = {}
        for lr in standing:
            worse = _harder_points(lr, before, after, dates, hits_before, hits_after)
            if worse is not None:
                found[lr.record.record_id] = worse
        for worse in _harder_lists(standing, before, after, dates):
            found.setdefault(worse.record.record_id, worse)
        yield from sorted(found.values(), key=lambda h: (h.record.occurred_at, h.record.record_id))


class _VersionDates:
    """The days versions come into force, in either rulebook."""

    def __init__(self, before: Rulebook, after: Rulebook) -> None:
        self.days = sorted({v.effective_from for rb in (before, after) for v in rb.all_versions()})

    def from_(self, day: date) -> list[date]:
        return [d for d in self.days if d > day]


def _counts(
    rulebook: Rulebook, lr: LedgerRecord, on: date, hits: RuleHits
) -> tuple[int, date | None]:
    """The points the record counts for on `on`, judged on its own, and its expiry."""
    verdict = judge(lr, rulebook.record_pack(lr.record), on, hits, disputes=False)
    if isinstance(verdict, Contribution):
        return verdict.points, verdict.expires_on
    return 0, None


def _harder_points(
    lr: LedgerRecord,
    before: Rulebook,
    after: Rulebook,
    dates: _VersionDates,
    hits_before: RuleHits,
    hits_after: RuleHits,
) -> Hardened | None:
    occurred = lr.record.occurred_at
    days = {occurred, *dates.from_(occurred)}
    for rb, hits in ((before, hits_before), (after, hits_after)):
        for day in list(days):
            _, expires = _counts(rb, lr, day, hits)
            if expires is not None:
                days.add(expires)
    for day in sorted(days):
        was, _ = _counts(before, lr, day, hits_before)
        would, _ = _counts(after, lr, day, hits_after)
        if would < was:
            return Hardened(lr.record, day, f"{would} points on {day} instead of {was}")
    return None


def _harder_lists(
    records: Sequence[LedgerRecord], before: Rulebook, after: Rulebook, dates: _VersionDates
) -> Iterator[Hardened]:
    """Entries the subject would be held on (black) or lose (red) on some date. Only records a
    list admits open entries, and only records with a case_ref can repair them: the others
    (most of a ledger) are left out, with their dates."""
    listed = {
        lr.record.record_id
        for lr in records
        if any(_may_list(rb, lr.record) for rb in (before, after))
    }
    if not listed:
        return
    records = [lr for lr in records if lr.record.record_id in listed or lr.record.case_ref]
    first = min(lr.record.occurred_at for lr in records)
    days = {lr.record.occurred_at for lr in records} | set(dates.from_(first))
    ends: set[date] = set()
    for rb in (before, after):
        for day in days:
            ends.update(e.until for e in _entries(rb, records, day))
    for day in sorted(days | ends):
        was = {_key(e): e for e in _entries(before, records, day)}
        would = {_key(e): e for e in _entries(after, records, day)}
        for key in would.keys() - was.keys():
            if would[key].kind == "black":
                yield Hardened(would[key].record, day, f"on list {key[0]} on {day}")
        for key in was.keys() - would.keys():
            if was[key].kind == "red":
                yield Hardened(was[key].record, day, f"off list {key[0]} on {day}")


def _may_list(rulebook: Rulebook, record: Record) -> bool:
    history = rulebook.record_pack(record)
    then = history.in_force(record.occurred_at) if history else None
    return then is not None and any(
        c.admit(record.type, record.attributes) for c in then.lists.values()
    )


def _entries(rulebook: Rulebook, records: Sequence[LedgerRecord], day: date) -> list[ListEntry]:
    """The entries open on `day`, disputes aside: an objection may yet be upheld."""
    return list_entries(rulebook, records, day, disputes=False)


def _key(entry: ListEntry) -> tuple[str, str]:
    return entry.list_id, entry.record.record_id
