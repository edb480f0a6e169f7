"""Every golden case through the population engines: the same scores, tiers, per-record verdicts
and list entries as the online path."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyarrow as pa
import pytest

from credo.adapters.engines import staged
from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.fold_engine import FoldEngine, Folder
from credo.adapters.engines.protocol import LedgerSource, PopulationEngine
from credo.adapters.engines.spark_fold import SparkFoldEngine
from credo.adapters.engines.verdict_ledger import judged_of_verdicts, verdict_table
from credo.domain.scoring.verdicts import Judge, verdict_row
from tests.engines import batched, views
from tests.engines.spark import SPARK
from tests.golden.cases import ROOT, GoldenCase, case_files, load_case

DUCKDB = DuckDbEngine(threads=1)
FOLD = FoldEngine(threads=1)

CASES = case_files()
IDS = [p.relative_to(ROOT).as_posix() for p in CASES]


@pytest.mark.parametrize("path", CASES, ids=IDS)
@pytest.mark.parametrize("shape", views.SHAPES)
def test_duckdb_agrees_with_the_online_path(shape: str, path: Path) -> None:
    case = load_case(path)
    rulebook = case.rulebook()
    source = LedgerSource(views.records_in(shape, case.records), views.entries_table(case.entries))
    got = views.engine(DUCKDB.recompute(source, rulebook, case.as_of, detail=True))
    assert_same(got, views.online(rulebook, case.ledger(), case.as_of))


@cache
def spark_answers(shape: str) -> dict[str, tuple[views.View, views.View]]:
    """Spark's and the online path's views of every golden case, by case id, from one Spark job
    over all of them (see `batched`)."""
    return answers(SPARK, shape)


@cache
def fold_answers(shape: str) -> dict[str, tuple[views.View, views.View]]:
    """The fold's views of every golden case, judged and folded in one batch per shape."""
    return answers(FOLD, shape)


@pytest.mark.parametrize("path", CASES, ids=IDS)
@pytest.mark.parametrize("shape", views.SHAPES)
def test_the_fold_agrees_with_the_online_path(shape: str, path: Path) -> None:
    got, expected = fold_answers(shape)[load_case(path).id]
    assert_same(got, expected)


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_the_fold_of_kept_verdicts_agrees_with_the_online_path(path: Path) -> None:
    """Each record judged on its own, as intake keeps its verdict in the store, and the
    verdicts folded as `credo recompute` folds a store's."""
    case = load_case(path)
    rulebook = case.rulebook()
    ledger = case.ledger()
    judge = Judge(rulebook)
    table = verdict_table(verdict_row(judge.verdict(lr)) for lrs in ledger.values() for lr in lrs)
    folded = Folder(judged_of_verdicts(table, rulebook), rulebook).on(case.as_of, detail=True)
    assert_same(views.engine(folded), views.online(rulebook, ledger, case.as_of))


@cache
def namespaced_cases() -> tuple[GoldenCase, ...]:
    """Every golden case in its namespace, read once for every batch."""
    return tuple(batched.namespaced(load_case(p), k) for k, p in enumerate(CASES))


def answers(engine: PopulationEngine, shape: str) -> dict[str, tuple[views.View, views.View]]:
    cases = list(namespaced_cases())
    whole = batched.batch(cases)
    rulebook = whole.rulebook()
    source = LedgerSource(
        views.records_in(shape, whole.records), views.entries_table(whole.entries)
    )
    got = views.engine(engine.recompute(source, rulebook, whole.as_of, detail=True))
    expected = views.online(rulebook, whole.ledger(), whole.as_of)
    pairs = zip(batched.by_case(got, cases), batched.by_case(expected, cases), strict=True)
    return {case.id: pair for case, pair in zip(cases, pairs, strict=True)}


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_spark_agrees_with_the_online_path(path: Path) -> None:
    got, expected = spark_answers("export")[load_case(path).id]
    assert_same(got, expected)


@cache
def spark_fold_answers(shape: str) -> dict[str, tuple[views.View, views.View]]:
    """The fold on Spark's views of every golden case, in parts of a few records each, so that
    the cases are folded by several tasks."""
    return answers(SparkFoldEngine(SPARK, part_rows=64, threads=1), shape)


@pytest.mark.spark
@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_the_fold_on_spark_agrees_with_the_online_path(path: Path) -> None:
    got, expected = spark_fold_answers("export")[load_case(path).id]
    assert_same(got, expected)


@pytest.mark.spark
def test_spark_reads_every_shape_into_the_same_ledger() -> None:
    """A shape differs from another only in how it is read: ids hashed from source and source_ref
    or given, the subject a struct or flat columns. Every stage after reads the `ledger` and
    `status` relations, so Spark reading the same relations from each shape, over every golden
    record, carries the golden cases answered on the export shape over to the others (where
    DuckDB and the fold answer every case on every shape)."""
    whole = batched.batch(list(namespaced_cases()))
    rulebook = whole.rulebook()

    def relations(shape: str) -> tuple[pa.Table, pa.Table]:
        session = SPARK.session()
        source = LedgerSource(
            views.records_in(shape, whole.records), views.entries_table(whole.entries)
        )
        staged.read_ledger(session, source, rulebook)
        ledger = session.fetch("SELECT * FROM ledger").sort_by("record_id")
        status = session.fetch("SELECT * FROM status").sort_by("record_id")
        return ledger, status

    export = relations("export")
    assert export[0].num_rows == len(whole.records)
    for shape in views.SHAPES[1:]:
        assert relations(shape) == export, shape


def test_cases_in_a_batch_do_not_meet() -> None:
    """Each case answers in a batch as it does alone, on the online path and on DuckDB (where it
    is cheap to check), so a batch proves on Spark what the cases would one by one."""
    together = answers(DUCKDB, "export")
    for k, path in enumerate(CASES):
        case = batched.namespaced(load_case(path), k)
        rulebook = case.rulebook()
        alone = views.online(rulebook, case.ledger(), case.as_of)
        got, expected = together[case.id]
        assert_same(expected, alone)
        assert_same(got, alone)


def assert_same(got: views.View, expected: views.View) -> None:
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]
