"""A subject's score over the last two years, for the chart on `/me`: the score on each day
it could have moved (a record occurring or expiring, a version coming into force), judged as
every score is, on what the ledger knows now (SPEC §4.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.ledger.records import LedgerRecord
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.explanation import change_dates
from credo.domain.scoring.score import RuleHits, assess

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
