"""No subject is ever left out of a recompute without a reported reason (SPEC §4.1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource, PopulationEngine
from credo.domain.ledger.records import Evidence, Record
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.rulebook import PackVersion, Rulebook
from tests.engines import views
from tests.engines.spark import SPARK
from tests.golden.cases import load_pack

PACKS = Path(__file__).parents[1] / "golden" / "packs"
EV = Evidence("https://records.example/u.pdf", "0" * 64)


def fine(subject: str, region: str, day: date, ref: str) -> Record:
    return Record(
        Subject(subject, "person", region),
        "traffic.violation",
        day,
        "police",
        ref,
        {"severity": 1},
        EV,
    )


@pytest.mark.parametrize(
    "engine",
    [DuckDbEngine(threads=1), pytest.param(SPARK, marks=[pytest.mark.slow, pytest.mark.spark])],
    ids=["duckdb", "spark"],
)
def test_subjects_that_cannot_be_scored_are_reported_with_the_reason(
    engine: PopulationEngine,
) -> None:
    rulebook = Rulebook(
        [
            PackVersion(load_pack(PACKS / "west-v1.yaml")),
            PackVersion(load_pack(PACKS / "county-v1.yaml")),
        ]
    )
    records = [
        fine("stays", "XT-W", date(2024, 3, 1), "F-1"),
        # Moved to a region no pack governs: its west record is still judged, but it has
        # no base or tiers to be scored by.
        fine("left", "XT-W", date(2024, 3, 1), "F-2"),
        fine("left", "XZ-NOWHERE", date(2024, 4, 1), "F-3"),
        # In the county, whose pack takes effect only on 2024-07-01.
        fine("early", "XP-CT", date(2024, 3, 1), "F-4"),
    ]
    source = LedgerSource(views.records_in("export", records), views.entries_table([]))
    result = engine.recompute(source, rulebook, date(2024, 5, 1), detail=True)
    assert sorted(result.scores.column("subject_id").to_pylist()) == ["stays"]
    assert result.unjudged is not None
    reasons = {r["subject_id"]: r["reason"] for r in result.unjudged.to_pylist()}
    assert reasons == {
        "left": "no pack governs persons in XZ-NOWHERE",
        "early": "pack county has no version in force",
    }
