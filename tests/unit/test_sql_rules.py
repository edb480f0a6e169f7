"""The rule tree compiled to SQL (DuckDB) picks the same rule and points as the Python path."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from sqlglot import exp

from credo.adapters.engines.sql.rules import rule_columns
from credo.domain.rules import ir
from credo.domain.rules.packs import Pack
from credo.domain.scoring.evaluate import CompiledRules

PACK = """
pack: sample
version: 1
effective_from: 2026-01-01
jurisdiction: XX
subject_kinds: [person]
score: {base: 100}
tiers: [{name: A, min: 90}, {name: B, min: null}]
record_types:
  traffic.violation:
    domain: traffic
    fields:
      severity: {type: integer, min: 1, max: 5}
      zone: {type: string, enum: [school, city, highway], required: false}
      repeat: {type: boolean, required: false}
  tax.arrears:
    domain: tax
    fields: {amount: {type: number, min: 0}}
rules:
  - {id: school-zone, record: traffic.violation, points: -20, valid_days: 365, basis: b,
     when: {zone: {eq: school}, severity: {gte: 2}}}
  - {id: repeat-or-severe, record: traffic.violation, points: -10, basis: b,
     when: {any: [{repeat: {eq: true}}, {severity: {in: [4, 5]}}]}}
  - {id: not-highway, record: traffic.violation, points: -5, valid_days: 90, basis: b,
     when: {zone: {not_in: [highway]}}}
  - {id: minor, record: traffic.violation, points: -2, valid_days: 30, basis: b,
     when: {severity: {lt: 3}, zone: {ne: city}}}
  - {id: arrears, record: tax.arrears, valid_days: 730, basis: b,
     points: {per: amount, step: 2500, each: -3, cap: -40}}
"""

FIELDS = {"severity": "BIGINT", "zone": "VARCHAR", "repeat": "BOOLEAN", "amount": "DOUBLE"}


def pack() -> Pack:
    return Pack.model_validate(YAML(typ="safe", pure=True).load(PACK))


def column(name: str, _type: str) -> exp.Expr:
    return exp.column(f"a_{name}")


traffic = st.fixed_dictionaries(
    {"type": st.just("traffic.violation"), "severity": st.integers(1, 5)},
    optional={"zone": st.sampled_from(["school", "city", "highway"]), "repeat": st.booleans()},
)
arrears = st.fixed_dictionaries(
    {"type": st.just("tax.arrears"), "amount": st.floats(0, 1e7, allow_nan=False)}
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(traffic, arrears), min_size=1, max_size=30))
def test_duckdb_agrees_with_python(rows: list[dict[str, object]]) -> None:
    p = pack()
    table = ir.rule_table(p)
    python = CompiledRules(table)
    cols = rule_columns(table, column, exp.column("type"))
    select = (
        exp.select(
            exp.alias_(cols.rule_id, "rule"),
            exp.alias_(cols.points, "points"),
            exp.alias_(cols.valid_days, "valid_days"),
        )
        .from_("r")
        .order_by("n")
    )
    con = duckdb.connect()
    defs = ", ".join(f"a_{f} {t}" for f, t in FIELDS.items())
    con.execute(f"CREATE TABLE r (n INTEGER, type VARCHAR, {defs})")
    con.executemany(
        "INSERT INTO r VALUES (?, ?, ?, ?, ?, ?)",
        [[i, row["type"], *(row.get(f) for f in FIELDS)] for i, row in enumerate(rows)],
    )
    got = con.execute(select.sql(dialect="duckdb")).fetchall()
    for row, (rule, points, valid_days) in zip(rows, got, strict=True):
        attrs = {k: v for k, v in row.items() if k != "type"}
        hit = python.match(str(row["type"]), attrs)
        assert (rule, points, valid_days) == (
            (hit.rule_id, hit.points, hit.valid_days) if hit else (None, None, None)
        ), row


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "sqlite"])
def test_rules_render_in_every_dialect(dialect: str) -> None:
    cols = rule_columns(ir.rule_table(pack()), column, exp.column("type"))
    sql = cols.points.sql(dialect=dialect)
    assert "CASE WHEN" in sql
    assert "a_zone" in sql
