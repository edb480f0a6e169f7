"""SPEC §4 for a whole population, as SQL built with sqlglot: one set of stage queries per pack.

Stages, each over the one before:
  judged   every record occurring by `as_of`: version then, rule, points then and now, validity
  counted  the reason a record does not count (or none), merges, caps: the per-record verdict
  scores   base + the counted points per subject, clamped, with its tier
  entries  list entries open on `as_of`
  scored   the scores with the first later day they may change by time alone (read from
           `scores` and `list_entries` as the engine stored them)

The rule conditions and points come from `credo.adapters.engines.sql`, compiled from the same
tree as the online path. Engines register `ledger` (see `credo.adapters.engines.ledger_sql`) and
the stage results under the stage names; queries render in any sqlglot dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlglot
from sqlglot import exp

from credo.adapters.engines.columns import attribute_column
from credo.adapters.engines.sql import condition, rule_columns
from credo.domain import ir
from credo.domain.ir import FieldType
from credo.domain.rulebook import PackHistory, PackVersion

ColumnFor = Callable[[str, FieldType], exp.Expr]


def _q(sql: str, **parts: exp.Expr) -> exp.Expr:
    """A fixed query shape; every part that depends on a pack arrives as an expression tree."""
    return exp.replace_placeholders(sqlglot.parse_one(sql, read="duckdb"), **parts)


def _lit(value: object) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    return exp.Literal.string(str(value))


def _columns(table: str | None = None) -> ColumnFor:
    return lambda field, type_: exp.column(attribute_column(field, type_), table=table)


def _by_version(versions: list[PackVersion], each: Callable[[PackVersion], exp.Expr]) -> exp.Case:
    """CASE v_then WHEN 1 THEN … — the value as the version in force when the record occurred."""
    case = exp.Case(this=exp.column("v_then"))
    for i, v in enumerate(versions, start=1):
        case = case.when(exp.Literal.number(i), each(v))
    return case


def _date_plus(day: exp.Expr, days: exp.Expr) -> exp.Expr:
    whole_days = exp.cast(days, exp.DataType.Type.INT)  # Spark's DATE_ADD takes an INT
    return exp.cast(exp.DateAdd(this=day, expression=whole_days, unit=exp.var("DAY")), "date")


@dataclass(frozen=True)
class PackQueries:
    pack: str
    version: PackVersion
    judged: exp.Expr
    counted: exp.Expr
    scores: exp.Expr
    entries: exp.Expr | None
    scored: exp.Expr


def pack_queries(history: PackHistory, as_of: date) -> PackQueries | None:
    now = history.in_force(as_of)
    if now is None:
        return None
    versions = list(history.versions)
    suspend = now.pack.objection.while_disputed == "suspend"
    return PackQueries(
        history.id,
        now,
        _judged(history.id, versions, now, as_of),
        _counted(now, as_of, suspend),
        _scores(history.id, now),
        _entries(history.id, versions, now, as_of, suspend),
        _scored(history, as_of),
    )


def _judged(pack: str, versions: list[PackVersion], now: PackVersion, as_of: date) -> exp.Expr:
    v_then = exp.Case()
    for i, v in reversed(list(enumerate(versions, start=1))):
        v_then = v_then.when(
            exp.GTE(this=exp.column("occurred_at"), expression=_lit(v.effective_from)),
            exp.Literal.number(i),
        )
    typ = exp.column("type")
    tables = {id(v): rule_columns(ir.rule_table(v.pack), _columns(), typ) for v in versions}
    query = _q(
        """
        SELECT l.*, :v_then AS v_then FROM ledger AS l
        WHERE l.pack = :pack AND l.occurred_at <= :as_of
        """,
        v_then=v_then,
        pack=_lit(pack),
        as_of=_lit(as_of),
    )
    assert isinstance(query, exp.Select)
    return query.select(
        exp.alias_(_by_version(versions, lambda v: tables[id(v)].rule_id), "rule"),
        exp.alias_(_by_version(versions, lambda v: tables[id(v)].points), "p_then"),
        exp.alias_(_by_version(versions, lambda v: tables[id(v)].valid_days), "valid_days"),
        exp.alias_(tables[id(now)].points, "p_now"),
    )


def _counted(now: PackVersion, as_of: date, suspend: bool) -> exp.Expr:
    cap_of: exp.Expr = exp.Null()
    cap_max: exp.Expr = exp.Null()
    if now.pack.caps:
        of, limit = exp.Case(), exp.Case(this=exp.column("cap"))
        for cap in now.pack.caps:
            in_cap = exp.In(this=exp.column("rule"), expressions=[_lit(r) for r in cap.rules])
            of = of.when(in_cap, _lit(cap.id))
            limit = limit.when(_lit(cap.id), _lit(cap.max))
        cap_of, cap_max = of, limit
    return _q(
        """
        WITH j AS (
          SELECT *,
            CASE WHEN p_then < 0 THEN GREATEST(p_then, LEAST(COALESCE(p_now, 0), 0))
                 ELSE p_then END AS points,
            :expires AS expires_on
          FROM judged
        ), r AS (
          SELECT *, CASE WHEN withdrawn THEN 'withdrawn' WHEN overturned THEN 'overturned'
                         WHEN rule IS NULL THEN 'no-rule' WHEN expires_on <= :as_of THEN 'expired'
                         WHEN disputed AND :suspend THEN 'disputed' END AS reason0
          FROM j
        ), m AS (
          SELECT *, CASE WHEN reason0 IS NULL AND COALESCE(case_ref, '') <> ''
                          AND ROW_NUMBER() OVER (
                            PARTITION BY subject_id, case_ref, reason0 IS NULL
                            ORDER BY ABS(points) DESC, occurred_at, record_id) > 1
                         THEN 'merged' ELSE reason0 END AS reason
          FROM r
        ), c AS (
          SELECT *, CASE WHEN reason IS NULL AND points > 0 THEN :cap_of END AS cap FROM m
        )
        SELECT record_id, subject_id, rule, points, expires_on, reason,
          CAST(CASE WHEN cap IS NULL THEN points
               ELSE LEAST(points, GREATEST(0, :cap_max - (SUM(points) OVER (
                 PARTITION BY subject_id, cap ORDER BY occurred_at, record_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - points))) END
            AS BIGINT) AS counted
        FROM c
        """,
        expires=_date_plus(exp.column("occurred_at"), exp.column("valid_days")),
        as_of=_lit(as_of),
        suspend=_lit(suspend),
        cap_of=cap_of,
        cap_max=cap_max,
    )


def _scored(history: PackHistory, as_of: date) -> exp.Expr:
    later = [v.effective_from for v in history.versions if v.effective_from > as_of]
    return _q(
        """
        WITH v AS (
          SELECT subject_id, MIN(d) AS d FROM (
            SELECT subject_id, expires_on AS d FROM counted WHERE expires_on > :as_of
            UNION ALL
            SELECT subject_id, occurred_at AS d FROM ledger
            WHERE pack = :pack AND occurred_at > :as_of
            UNION ALL
            SELECT subject_id, until AS d FROM list_entries
          ) AS t GROUP BY subject_id
        )
        SELECT s.subject_id, s.score, s.tier,
               CAST(LEAST(v.d, :next_version) AS DATE) AS valid_until
        FROM scores AS s LEFT JOIN v ON v.subject_id = s.subject_id
        """,
        as_of=_lit(as_of),
        pack=_lit(history.id),
        next_version=_lit(min(later)) if later else exp.cast(exp.Null(), "date"),
    )


def _scores(pack: str, now: PackVersion) -> exp.Expr:
    spec = now.pack.score
    total: exp.Expr = exp.Add(this=_lit(spec.base), expression=exp.column("total"))
    if spec.floor is not None:
        total = exp.Greatest(this=total, expressions=[_lit(spec.floor)])
    if spec.ceiling is not None:
        total = exp.Least(this=total, expressions=[_lit(spec.ceiling)])
    catch_all = _lit(now.pack.tiers[-1].name)
    tier: exp.Expr = catch_all
    bands = [t for t in now.pack.tiers if t.min is not None]
    if bands:
        case = exp.Case()
        for t in bands:
            case = case.when(
                exp.GTE(this=exp.column("score"), expression=_lit(t.min)), _lit(t.name)
            )
        tier = case.else_(catch_all)
    return _q(
        """
        SELECT subject_id, score, :tier AS tier FROM (
          SELECT s.subject_id, :score AS score FROM (
            SELECT s.subject_id, COALESCE(t.total, 0) AS total
            FROM (SELECT DISTINCT subject_id FROM ledger WHERE pack = :pack) AS s
            LEFT JOIN (SELECT subject_id, SUM(counted) AS total FROM counted
                       WHERE reason IS NULL GROUP BY subject_id) AS t
            ON s.subject_id = t.subject_id
          ) AS s
        ) AS scored
        """,
        tier=tier,
        score=exp.cast(total, exp.DataType.Type.BIGINT),
        pack=_lit(pack),
    )


def _entries(
    pack: str, versions: list[PackVersion], now: PackVersion, as_of: date, suspend: bool
) -> exp.Expr | None:
    """One branch per list of the version in force; admission and repair by the version in
    force when the admitting record occurred (see `credo.domain.lists`)."""
    branches = []
    for list_id, current in now.lists.items():

        def admits(v: PackVersion, list_id: str = list_id) -> exp.Expr:
            spec = v.lists.get(list_id)
            if spec is None:
                return exp.false()
            return condition(
                ir.match(v.pack, spec.spec.admit), _columns("j"), exp.column("type", "j")
            )

        def duration(
            v: PackVersion, list_id: str = list_id, now_days: int = current.spec.duration_days
        ) -> exp.Expr:
            spec = v.lists.get(list_id)
            return _lit(min(spec.spec.duration_days, now_days)) if spec else exp.Null()

        def repairs(v: PackVersion, list_id: str = list_id) -> exp.Expr:
            spec = v.lists.get(list_id)
            if spec is None or spec.spec.repair is None:
                return exp.false()
            return condition(
                ir.match(v.pack, spec.spec.repair), _columns("l"), exp.column("type", "l")
            )

        branches.append(
            _q(
                """
                WITH a AS (
                  SELECT j.subject_id, j.record_id, j.case_ref, j.v_then, j.occurred_at AS since,
                         :until AS until0
                  FROM judged AS j
                  WHERE NOT j.withdrawn AND NOT j.overturned AND NOT (j.disputed AND :suspend)
                    AND :admits
                ), rep AS (
                  SELECT a.record_id, MIN(l.occurred_at) AS repaired_on
                  FROM a JOIN ledger AS l
                    ON l.pack = :pack AND l.subject_id = a.subject_id AND l.case_ref = a.case_ref
                   AND l.occurred_at >= a.since AND NOT l.withdrawn AND NOT l.overturned
                  WHERE COALESCE(a.case_ref, '') <> '' AND :repairs
                  GROUP BY a.record_id
                ), e AS (
                  SELECT a.subject_id, a.record_id, a.since,
                         LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
                  FROM a LEFT JOIN rep ON a.record_id = rep.record_id
                )
                SELECT subject_id, :list_id AS list_id, record_id, since, until FROM e
                WHERE since <= :as_of AND :as_of < until
                """,
                until=_date_plus(exp.column("occurred_at", "j"), _by_version(versions, duration)),
                admits=_by_version(versions, admits).else_(exp.false()),
                repairs=_by_version(versions, repairs).else_(exp.false()),
                suspend=_lit(suspend),
                pack=_lit(pack),
                list_id=_lit(list_id),
                as_of=_lit(as_of),
            )
        )
    if not branches:
        return None
    parts = [
        exp.select("*").from_(exp.alias_(exp.paren(b), f"e{i}")) for i, b in enumerate(branches)
    ]
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    return union
