"""A subject's score over the last two years, for the chart on `/me`: the score on each day
it could have moved (a record occurring or expiring, a version coming into force), judged as
every score is, on what the ledger knows now (SPEC §4.7)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.explanation import change_dates
from credo.domain.records import LedgerRecord
from credo.domain.rulebook import Rulebook
from credo.domain.scoring import RuleHits, assess

YEARS = 2


@dataclass(frozen=True, slots=True)
class ScorePoint:
    on: date
    score: int | None  # None: no rulebook judged the subject that day
    tier: str | None


def score_history(
    subject_id: str, rulebook: Rulebook, records: Sequence[LedgerRecord], today: date
) -> list[ScorePoint]:
    start = today - timedelta(days=365 * YEARS)
    days = [start, *(d for d in change_dates(rulebook, records, start) if d <= today)]
    if days[-1] != today:
        days.append(today)
    hits = RuleHits()
    points = []
    previous: tuple[int | None, str | None] | None = None
    for day in days:
        try:
            a = assess(subject_id, rulebook, records, day, lists=False, hits=hits)
            now: tuple[int | None, str | None] = (a.score, a.tier)
        except (NoPackGoverns, NotInForce):
            now = (None, None)
        # A step chart needs only the days the score moved, and the last one.
        if now != previous or day == today:
            points.append(ScorePoint(day, *now))
            previous = now
    return points


class HistoryCache:
    """Histories already worked out, by subject, the size of its ledger (any new record or
    entry about it changes that), the rulebook's revision and the day: a subject reading their
    page again, or after a check, is not judged on a hundred days again."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._held: OrderedDict[tuple[object, ...], list[ScorePoint]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(
        self,
        subject_id: str,
        rulebook: Rulebook,
        records: Sequence[LedgerRecord],
        today: date,
        *,
        ledger_size: int,
    ) -> list[ScorePoint]:
        key = (subject_id, ledger_size, id(rulebook), rulebook.revised_at, today)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        found = score_history(subject_id, rulebook, records, today)
        with self._lock:
            self._held[key] = found
            while len(self._held) > self.size:
                self._held.popitem(last=False)
        return found
