"""The `list_entries` stage: SPEC §4.8 for a population, read from `judged` (see
`credo.domain.lists` for the online path). Admission and repair were decided per record in
`judged`; this stage pairs admissions with their repairs and keeps the entries open on `as_of`."""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from credo.adapters.engines.judged_sql import version_cases
from credo.adapters.engines.sql import date_plus, query, value
from credo.domain.rulebook import PackVersion


def entries(versions: list[PackVersion], now: PackVersion, as_of: date) -> exp.Expr | None:
    branches = []
    for n, (list_id, current) in enumerate(now.lists.items()):
        now_days = current.spec.duration_days
        duration = {
            i: value(min(v.lists[list_id].spec.duration_days, now_days))
            for i, v in enumerate(versions, start=1)
            if list_id in v.lists
        }
        repairs = {
            i: exp.column(f"repairs_{n}_{i}", table="l")
            for i, v in enumerate(versions, start=1)
            if list_id in v.lists and v.lists[list_id].spec.repair is not None
        }
        # Any repair at all, tested first: it keeps all but the repairing records out of the join.
        repaired = (
            exp.and_(
                exp.paren(exp.or_(*repairs.values())),
                version_cases(versions, repairs, table="a").else_(exp.false(), copy=False),
            )
            if repairs
            else exp.false()
        )
        branches.append(
            query(
                """
                WITH a AS (
                  SELECT j.subject_id, j.record_id, j.case_ref, j.v_then, j.occurred_at AS since,
                         :until AS until0
                  FROM judged AS j
                  WHERE :admits
                ), rep AS (
                  SELECT a.record_id, MIN(l.occurred_at) AS repaired_on
                  FROM a JOIN judged AS l
                    ON l.subject_id = a.subject_id AND l.case_ref = a.case_ref
                   AND l.occurred_at >= a.since
                  WHERE :repaired
                  GROUP BY a.record_id
                ), e AS (
                  SELECT a.subject_id, a.record_id, a.since,
                         LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
                  FROM a LEFT JOIN rep ON a.record_id = rep.record_id
                )
                SELECT subject_id, :list_id AS list_id, record_id, since, until FROM e
                WHERE since <= :as_of AND :as_of < until
                """,
                admits=exp.column(f"admits_{n}", table="j"),
                until=date_plus(
                    exp.column("occurred_at", "j"), version_cases(versions, duration, table="j")
                ),
                repaired=repaired,
                list_id=value(list_id),
                as_of=value(as_of),
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
