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


@pytest.mark.parametrize("path", CASES, ids=[p.relative_to(ROOT).as_posix() for p in CASES])
@pytest.mark.parametrize("name", sorted(ENGINES))
def test_engine_agrees_with_the_online_path(name: str, path: Path) -> None:
    case = load_case(path)
    rulebook = case.rulebook()
    source = LedgerSource(views.records_table(case.records), views.entries_table(case.entries))
    result = ENGINES[name].recompute(source, rulebook, case.as_of, detail=True)
    expected = views.online(rulebook, case.ledger(), case.as_of)
    got = views.engine(result)
    assert got["scores"] == expected["scores"]
    assert got["verdicts"] == expected["verdicts"]
    assert got["entries"] == expected["entries"]
