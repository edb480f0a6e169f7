"""The `list_entries` stage: SPEC §4.8 for a population, one pack's lists at a time (see
`credo.domain.scoring.lists` for the online path). Admission was decided per record in that pack's
`judged`; this stage pairs admissions with their repairs and keeps the entries open on `as_of`.

A repair is any record of the same subject and case_ref that the admitting version's `repair`
matches, whichever pack judges it: a subject may have moved between the judgment and its
satisfaction. So repairs are looked for in `ledger`, among the few records of the repairing
types that carry a case_ref.
"""

from __future__ import annotations

from datetime import date

from sqlglot import exp

from credo.adapters.engines.sql.judged import list_match, version_cases
from credo.adapters.engines.sql.rules import date_plus, query, value
from credo.domain.rules.rulebook import PackVersion


def repair_tests(versions: list[PackVersion], list_id: str) -> tuple[exp.Expr, exp.Expr]:
    """(`repaired`: record `r` repairs the entry the version numbered `a.v_then` admitted;
    `repairing`: `r`'s type is one a repair of `list_id` can have, to find the few candidates)."""
    repairs = {
        i: spec
        for i, v in enumerate(versions, start=1)
        if list_id in v.lists and (spec := v.lists[list_id].spec.repair) is not None
    }
    if not repairs:
        return exp.false(), exp.false()
    # Which version admitted the entry decides what repairs it.
    repaired = version_cases(
        versions,
        {i: list_match(spec, versions[i - 1]) for i, spec in repairs.items()},
        table="a",
    ).else_(exp.false(), copy=False)
    types = sorted({spec.record for spec in repairs.values()})
    return repaired, exp.In(this=exp.column("type"), expressions=[value(t) for t in types])


def entries(
    judged: str, versions: list[PackVersion], now: PackVersion, as_of: date
) -> exp.Expr | None:
    """The entries open on `as_of` of the lists of `now`, from the pack's `judged` table."""
    branches = []
    for n, (list_id, current) in enumerate(now.lists.items()):
        now_days = current.spec.duration_days
        duration = {
            i: value(min(v.lists[list_id].spec.duration_days, now_days))
            for i, v in enumerate(versions, start=1)
            if list_id in v.lists
        }
        repaired, repairing = repair_tests(versions, list_id)
        branches.append(
            query(
                f"""
                WITH a AS (
                  SELECT j.subject_id, j.record_id, j.case_ref, j.v_then, j.occurred_at AS since,
                         :until AS until0
                  FROM {judged} AS j
                  WHERE :admits
                ), r AS (
                  SELECT * FROM ledger
                  WHERE case_ref IS NOT NULL AND :repairing
                    AND NOT withdrawn AND NOT overturned
                ), rep AS (
                  SELECT a.record_id, MIN(r.occurred_at) AS repaired_on
                  FROM a JOIN r
                    ON r.subject_id = a.subject_id AND r.case_ref = a.case_ref
                   AND r.occurred_at >= a.since
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
                repairing=repairing,
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
