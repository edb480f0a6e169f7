"""Generated packs and ledgers (versions, withdrawals, objections, decisions, shared cases):
every population engine must say what the online path says, record by record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.fold_engine import FoldEngine, Folder
from credo.adapters.engines.protocol import LedgerSource, PopulationEngine
from credo.adapters.engines.verdict_ledger import judged_of_verdicts, verdict_table
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import LedgerRecord
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.rulebook import PackHistory, PackVersion, Rulebook
from credo.domain.scoring.verdicts import Judge, verdict_row
from tests.engines import views
from tests.engines.spark import SPARK
from tests.unit.test_scoring_properties import as_of_dates, ledgers, pack_versions

ENGINE = DuckDbEngine(threads=1)

AT = datetime(2024, 1, 1, tzinfo=UTC)


def entries_for(ledger: list[LedgerRecord]) -> list[Entry]:
    """Ledger entries that give each record the status it was generated with."""
    out: list[Entry] = []
    for lr in ledger:
        rid, s = lr.record.record_id, lr.status
        if s.withdrawn:
            out.append(Entry("withdrawal", rid, "provider", AT))
        if s.overturned:
            out.append(Entry("objection", rid, "subject", AT, {"objection_id": f"{rid}-1"}))
            out.append(
                Entry(
                    "decision",
                    rid,
                    "reviewer",
                    AT,
                    {"objection_id": f"{rid}-1", "outcome": "overturned"},
                )
            )
        if s.disputed:
            out.append(Entry("objection", rid, "subject", AT, {"objection_id": f"{rid}-2"}))
    return [replace(e, seq=i) for i, e in enumerate(out)]


World = tuple[PackHistory, list[list[LedgerRecord]]]
worlds = st.tuples(pack_versions(), st.lists(ledgers(), min_size=1, max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds, as_of_dates, st.sampled_from(views.SHAPES))
def test_duckdb_agrees_with_the_online_path(world: World, as_of: date, shape: str) -> None:
    agree(ENGINE, [world], as_of, shape)


# The fold judges each example's ledger on DuckDB first: several worlds side by side per example
# keep the number of judgements, and so the time, down.
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(worlds, min_size=2, max_size=4), as_of_dates, st.sampled_from(views.SHAPES))
def test_the_fold_agrees_with_the_online_path(
    side_by_side: list[World], as_of: date, shape: str
) -> None:
    agree(FoldEngine(threads=1), side_by_side, as_of, shape)


# Spark answers a small ledger in seconds, not milliseconds, whatever its size: each example puts
# several generated packs and ledgers side by side, each in its own jurisdiction, in one job.
@pytest.mark.spark
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(worlds, min_size=2, max_size=5), as_of_dates)
def test_spark_agrees_with_the_online_path(side_by_side: list[World], as_of: date) -> None:
    agree(SPARK, side_by_side, as_of)


# The verdicts a store keeps, judged record by record in Python, folded as the store's judged
# ledger is: what `credo recompute` folds for a store whose verdicts are current.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(worlds, min_size=1, max_size=3), as_of_dates)
def test_the_fold_of_kept_verdicts_agrees_with_the_online_path(
    side_by_side: list[World], as_of: date
) -> None:
    rulebook, ledger = world_ledger(side_by_side)
    judge = Judge(rulebook)
    table = verdict_table(
        verdict_row(judge.verdict(lr)) for records in ledger.values() for lr in records
    )
    result = Folder(judged_of_verdicts(table, rulebook), rulebook).on(as_of, detail=True)
    expected = views.online(rulebook, {k: v for k, v in ledger.items() if v}, as_of)
    got = views.engine(result)
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]


def world_ledger(side_by_side: list[World]) -> tuple[Rulebook, dict[str, list[LedgerRecord]]]:
    """Generated worlds side by side, each pack in a jurisdiction of its own."""
    versions: list[PackVersion] = []
    ledger: dict[str, list[LedgerRecord]] = {}
    for w, (history, per_subject) in enumerate(side_by_side):
        region = f"W{w}-XT"
        versions += [
            PackVersion(v.pack.model_copy(update={"pack": f"w{w}-{v.id}", "jurisdiction": region}))
            for v in history.versions
        ]
        for n, records in enumerate(per_subject):
            subject = Subject(f"w{w}-s-{n}", "person", f"{region}-P")
            ledger[subject.id] = [
                LedgerRecord(
                    replace(
                        lr.record, subject=subject, source_ref=f"{w}-{n}-{lr.record.source_ref}"
                    ),
                    lr.status,
                )
                for lr in records
            ]
    return Rulebook(versions), ledger


def agree(
    engine: PopulationEngine, side_by_side: list[World], as_of: date, shape: str = "export"
) -> None:
    rulebook, ledger = world_ledger(side_by_side)
    everything = [lr for records in ledger.values() for lr in records]
    source = LedgerSource(
        views.records_in(shape, (lr.record for lr in everything)),
        views.entries_table(entries_for(everything)),
    )
    result = engine.recompute(source, rulebook, as_of, detail=True)
    expected = views.online(rulebook, {k: v for k, v in ledger.items() if v}, as_of)
    got = views.engine(result)
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]
