"""SPEC §4 for a whole population, as SQL built with sqlglot: one set of stage queries per pack.

Stages, each over the ones before:
  judged   every record of the pack: version then, rule, points (milder rule applied), expiry,
           list admission and repair, and the reason it cannot count whatever the others say
           (materialised: see `credo.adapters.engines.judged_sql`)
  pending  the records a case merge or a cap may change (materialised, small)
  counted  the per-record verdict: `judged` with case merges and caps, which need the subject's
           other records; a view, read once
  scores   per subject: base + the counted points, clamped, with its tier, and the first later
           day a record may change it
  entries  list entries open on `as_of` (see `credo.adapters.engines.list_sql`)
  scored   the scores with the first later day they may change by time alone
  verdicts what `counted` says about each record occurring by `as_of` (kept on request)

Merges and caps are window functions; only the records they can change (`pending`) go through
them: those still counting with a case_ref, then those still counting under a cap. Every other
record passes by, so the population is sorted by nothing.

The rule conditions and points come from `credo.adapters.engines.sql`, compiled from the same
tree as the online path. Engines register `ledger` (see `credo.adapters.engines.ledger_sql`) and
the stage results under the stage names; queries render in any sqlglot dialect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlglot import exp

from credo.adapters.engines.judged_sql import judged, rules
from credo.adapters.engines.list_sql import entries
from credo.adapters.engines.sql import NumberedRules, query, value
from credo.domain.rulebook import PackHistory, PackVersion

_VERDICT = "record_id, subject_id, occurred_at, hit, points, expires_on"


@dataclass(frozen=True)
class PackQueries:
    pack: str
    version: PackVersion
    judged: exp.Expr
    pending: exp.Expr
    counted: exp.Expr
    scores: exp.Expr
    entries: exp.Expr | None
    scored: exp.Expr
    verdicts: exp.Expr


def pack_queries(history: PackHistory, as_of: date) -> PackQueries | None:
    now = history.in_force(as_of)
    if now is None:
        return None
    numbered = rules(history)  # the rule conditions, compiled once for every stage
    return PackQueries(
        history.id,
        now,
        judged(history, now, as_of, numbered),
        _pending(numbered, now),
        _counted(numbered, now),
        _scores(now, as_of),
        entries(list(history.versions), now, as_of),
        _scored(history, as_of),
        query(
            "SELECT record_id, subject_id, rule, points, expires_on, reason, counted "
            "FROM counted WHERE occurred_at <= :as_of",
            as_of=value(as_of),
        ),
    )


def _caps(numbered: NumberedRules, now: PackVersion) -> tuple[exp.Expr, exp.Expr]:
    """The cap a record with positive points falls under, and each cap's maximum."""
    if not now.pack.caps:
        return exp.cast(exp.Null(), exp.DataType.Type.VARCHAR), exp.Null()
    first_cap: dict[str, str] = {}
    for cap in reversed(now.pack.caps):  # a rule under two caps falls under the first
        first_cap.update(dict.fromkeys(cap.rules, cap.id))
    of = exp.cast(
        numbered.value(lambda b: value(first_cap.get(b.rule_id))),
        exp.DataType.Type.VARCHAR,
    )
    limit = exp.Case(this=exp.column("cap"))
    for cap in now.pack.caps:
        limit = limit.when(value(cap.id), value(cap.max), copy=False)
    positive = exp.GT(this=exp.column("points"), expression=exp.Literal.number(0))
    return exp.Case().when(positive, of, copy=False), limit


def _pending(numbered: NumberedRules, now: PackVersion) -> exp.Expr:
    """The records a merge or a cap may change: still counting, with a case_ref or under a cap.
    A small table, so that the windows over it read no more than it."""
    return query(
        f"""
        SELECT {_VERDICT}, case_ref, cap FROM (SELECT *, :cap_of AS cap FROM judged) AS j
        WHERE reason0 IS NULL AND (case_ref IS NOT NULL OR cap IS NOT NULL)
        """,
        cap_of=_caps(numbered, now)[0],
    )


def _counted(numbered: NumberedRules, now: PackVersion) -> exp.Expr:
    """`judged` less `pending`, as it is; then `pending` through the windows: `m` merges the
    records sharing a case, `c` caps those still counting under a cap."""
    cap_of, cap_max = _caps(numbered, now)
    return query(
        f"""
        WITH m AS (
          SELECT {_VERDICT}, cap,
            CASE WHEN ROW_NUMBER() OVER (
                   PARTITION BY subject_id, case_ref
                   ORDER BY ABS(points) DESC, occurred_at, record_id) > 1
                 THEN 'merged' END AS reason
          FROM pending WHERE case_ref IS NOT NULL
        ), c AS (
          SELECT {_VERDICT}, cap, CAST(NULL AS VARCHAR) AS reason FROM pending
          WHERE case_ref IS NULL
          UNION ALL
          SELECT * FROM m WHERE reason IS NULL AND cap IS NOT NULL
        )
        SELECT {_VERDICT}, reason0 AS reason, :rule AS rule, CAST(points AS BIGINT) AS counted
        FROM (SELECT *, :cap_of AS cap FROM judged) AS j
        WHERE reason0 IS NOT NULL OR (case_ref IS NULL AND cap IS NULL)
        UNION ALL
        SELECT {_VERDICT}, reason, :rule AS rule, CAST(points AS BIGINT) AS counted
        FROM m WHERE reason IS NOT NULL OR cap IS NULL
        UNION ALL
        SELECT {_VERDICT}, reason, :rule AS rule,
          CAST(LEAST(points, GREATEST(0, :cap_max - (SUM(points) OVER (
            PARTITION BY subject_id, cap ORDER BY occurred_at, record_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - points))) AS BIGINT) AS counted
        FROM c
        """,
        cap_of=cap_of,
        cap_max=cap_max,
        rule=numbered.value(lambda b: value(b.rule_id)),
    )


def _scores(now: PackVersion, as_of: date) -> exp.Expr:
    spec = now.pack.score
    total: exp.Expr = exp.Add(this=value(spec.base), expression=exp.column("total"))
    if spec.floor is not None:
        total = exp.Greatest(this=total, expressions=[value(spec.floor)])
    if spec.ceiling is not None:
        total = exp.Least(this=total, expressions=[value(spec.ceiling)])
    catch_all = value(now.pack.tiers[-1].name)
    tier: exp.Expr = catch_all
    bands = [t for t in now.pack.tiers if t.min is not None]
    if bands:
        case = exp.Case()
        for t in bands:
            case = case.when(
                exp.GTE(this=exp.column("score"), expression=value(t.min)),
                value(t.name),
                copy=False,
            )
        tier = case.else_(catch_all, copy=False)
    # A later record, or the expiry of one that occurred (counting or not), may move the score.
    return query(
        """
        SELECT subject_id, score, :tier AS tier, changes_on FROM (
          SELECT subject_id, :score AS score, changes_on FROM (
            SELECT subject_id,
              COALESCE(SUM(CASE WHEN reason IS NULL THEN counted END), 0) AS total,
              MIN(CASE WHEN occurred_at > :as_of THEN occurred_at
                       WHEN expires_on > :as_of THEN expires_on END) AS changes_on
            FROM counted GROUP BY subject_id
          ) AS t
        ) AS s
        """,
        tier=tier,
        score=exp.cast(total, exp.DataType.Type.BIGINT),
        as_of=value(as_of),
    )


def _scored(history: PackHistory, as_of: date) -> exp.Expr:
    later = [v.effective_from for v in history.versions if v.effective_from > as_of]
    return query(
        """
        SELECT s.subject_id, s.score, s.tier,
               CAST(LEAST(s.changes_on, e.until, :next_version) AS DATE) AS valid_until
        FROM scores AS s
        LEFT JOIN (SELECT subject_id, MIN(until) AS until FROM list_entries GROUP BY subject_id)
          AS e ON e.subject_id = s.subject_id
        """,
        next_version=value(min(later)) if later else exp.cast(exp.Null(), "date"),
    )
