"""The SQL each engine runs for the shipped packs, kept in the repository so that a change to the
generated SQL shows up in review. `CREDO_UPDATE_SNAPSHOTS=1 pytest tests/engines` rewrites them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from credo.adapters.engines.sql.population import pack_queries, population
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.services.packs.check import load_pack
from credo.shipped import shipped_packs

SNAPSHOTS = Path(__file__).parent / "snapshots"
AS_OF = date(2026, 11, 22)
PACK_STAGES = ("judged", "entries")
POPULATION_STAGES = ("pending", "counted", "standing", "scores", "scored", "unjudged", "verdicts")


def rendered(part: str, dialect: str) -> str:
    """The stages of one shipped pack, or (`population`) those run for everyone."""
    rulebook = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())
    if part == "population":
        stages, queries = POPULATION_STAGES, population(rulebook, AS_OF)
    else:
        stages, queries = PACK_STAGES, pack_queries(rulebook.packs[part], AS_OF, "judged")
    parts = []
    for stage in stages:
        query = getattr(queries, stage)
        if query is not None:
            parts.append(f"-- {stage}\n{query.sql(dialect=dialect, pretty=True)};\n")
    return "\n".join(parts)


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize("part", ["rongcheng", "national-org", "population"])
def test_generated_sql_matches_its_snapshot(part: str, dialect: str) -> None:
    path = SNAPSHOTS / f"{part}.{dialect}.sql"
    sql = rendered(part, dialect)
    if os.environ.get("CREDO_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(sql)
    assert path.read_text() == sql, f"{path.name} is out of date: review, then update it"
    for statement in sqlglot.parse(sql, read=dialect):
        assert statement is not None  # every snapshot parses back in its own dialect
