"""Every golden case through the population engines: the same scores, tiers, per-record verdicts
and list entries as the online path."""

from __future__ import annotations

from pathlib import Path

import pytest

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource, PopulationEngine
from credo.adapters.engines.spark_engine import SparkEngine
from tests.engines import views
from tests.golden.cases import ROOT, case_files, load_case

ENGINES: dict[str, PopulationEngine] = {
    "duckdb": DuckDbEngine(threads=1),
    "spark": SparkEngine(cache=False),
}
CASES = case_files()


# Every shape of the ledger on DuckDB; Spark, slower by far, on the shape it reads ids from and
# on the one where it must hash them.
RUNS = [("duckdb", shape) for shape in views.SHAPES] + [("spark", "export"), ("spark", "ingest")]


@pytest.mark.parametrize("path", CASES, ids=[p.relative_to(ROOT).as_posix() for p in CASES])
@pytest.mark.parametrize(("name", "shape"), RUNS, ids=[f"{n}-{s}" for n, s in RUNS])
def test_engine_agrees_with_the_online_path(name: str, shape: str, path: Path) -> None:
    case = load_case(path)
    rulebook = case.rulebook()
    source = LedgerSource(views.records_in(shape, case.records), views.entries_table(case.entries))
    result = ENGINES[name].recompute(source, rulebook, case.as_of, detail=True)
    expected = views.online(rulebook, case.ledger(), case.as_of)
    got = views.engine(result)
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]
