"""The SQL each engine runs for the shipped packs, kept in the repository so that a change to the
generated SQL shows up in review. `CREDO_UPDATE_SNAPSHOTS=1 pytest tests/engines` rewrites them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from credo.adapters.engines.population_sql import pack_queries
from credo.domain.rulebook import PackVersion, Rulebook
from credo.services.pack_check import load_pack
from credo.shipped import shipped_packs

SNAPSHOTS = Path(__file__).parent / "snapshots"
AS_OF = date(2026, 11, 22)
STAGES = ("judged", "pending", "counted", "scores", "entries", "scored", "verdicts")


def rendered(pack: str, dialect: str) -> str:
    rulebook = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())
    queries = pack_queries(rulebook.packs[pack], AS_OF)
    assert queries is not None
    parts = []
    for stage in STAGES:
        query = getattr(queries, stage)
        if query is not None:
            parts.append(f"-- {stage}\n{query.sql(dialect=dialect, pretty=True)};\n")
    return "\n".join(parts)


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
@pytest.mark.parametrize("pack", ["rongcheng", "national-org"])
def test_generated_sql_matches_its_snapshot(pack: str, dialect: str) -> None:
    path = SNAPSHOTS / f"{pack}.{dialect}.sql"
    sql = rendered(pack, dialect)
    if os.environ.get("CREDO_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(sql)
    assert path.read_text() == sql, f"{path.name} is out of date: review, then update it"
    for statement in sqlglot.parse(sql, read=dialect):
        assert statement is not None  # every snapshot parses back in its own dialect
