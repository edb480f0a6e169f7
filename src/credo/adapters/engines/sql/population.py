"""SPEC §4 for a whole population, as SQL built with sqlglot.

A record is judged by the pack that governed its region when it occurred; a subject's base,
bounds and tiers come from the pack governing its current region (SPEC §4.1). So the stages
come in two sets: one per pack, over the records that pack judges, and one for everyone.

Per pack (`PackQueries`):
  judged   every record the pack judges: version then, rule, points (milder rule applied),
           expiry, cap, list admission, and the reason it cannot count whatever the others say
           (materialised: see `credo.adapters.engines.sql.judged`)
  entries  its list entries open on `as_of` (see `credo.adapters.engines.sql.lists`)

For everyone (`Population`), over `judged_all`, every pack's `judged` together:
  pending  the records a case merge or a cap may change (materialised, small)
  counted  the per-record verdict: `judged_all` with case merges and caps, which need the
           subject's other records; a view, read once
  standing per subject: where it is on `as_of` and so which pack sets its score
  scores   per subject: base + the counted points, clamped, with its tier, and the first later
           day a record may change it
  scored   the scores with the first later day they may change by time alone
  unjudged subjects that cannot be scored on `as_of`, with the reason
  verdicts what `counted` says about each record occurring by `as_of` (kept on request)

Merges and caps are window functions; only the records they can change (`pending`) go through
them: those still counting with a case_ref, then those still counting under a cap. Every other
record passes by, so the population is sorted by nothing.

The rule conditions and points come from `credo.adapters.engines.sql.rules`, compiled from the same
tree as the online path. Engines register `ledger` (see `credo.adapters.engines.sql.ledger`),
`governance` (which pack governs each region and kind from when) and the stage results under
the stage names; queries render in any sqlglot dialect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlglot import exp

from credo.adapters.engines.sql.judged import judged, rules
from credo.adapters.engines.sql.lists import entries
from credo.adapters.engines.sql.rules import query, value
from credo.domain.rules.rulebook import PackHistory, PackVersion, Rulebook

_VERDICT = "record_id, subject_id, occurred_at, rule, points, expires_on"
JUDGED_COLUMNS = (
    "record_id, subject_id, region, kind, occurred_at, case_ref, pack, rule, points, "
    "expires_on, reason0, cap, cap_max"
)


@dataclass(frozen=True)
class PackQueries:
    pack: str
    version: PackVersion | None  # in force on `as_of`
    judged: exp.Expr
    entries: exp.Expr | None


def pack_queries(history: PackHistory, as_of: date, judged_table: str) -> PackQueries:
    """`judged_table`: the name the pack's `judged` is kept under, which `entries` reads."""
    now = history.in_force(as_of)
    numbered = rules(history)  # the rule conditions, compiled once for every stage
    return PackQueries(
        history.id,
        now,
        judged(history, now, as_of, numbered),
        entries(judged_table, list(history.versions), now, as_of) if now else None,
    )


@dataclass(frozen=True)
class Population:
    pending: exp.Expr
    counted: exp.Expr
    standing: exp.Expr
    scores: exp.Expr
    scored: exp.Expr
    unjudged: exp.Expr
    verdicts: exp.Expr


def population(rulebook: Rulebook, as_of: date) -> Population:
    in_force = {h.id: v for h in rulebook.packs.values() if (v := h.in_force(as_of)) is not None}
    return Population(
        query(
            f"""
            SELECT {_VERDICT}, case_ref, cap, cap_max FROM judged_all
            WHERE reason0 IS NULL AND (case_ref IS NOT NULL OR cap IS NOT NULL)
            """
        ),
        _counted(),
        _standing(as_of),
        _scores(in_force, as_of),
        _scored(rulebook, as_of),
        _unjudged(in_force),
        query(
            "SELECT record_id, subject_id, rule, points, expires_on, reason, counted "
            "FROM counted WHERE occurred_at <= :as_of "
            "AND subject_id IN (SELECT subject_id FROM scores)",
            as_of=value(as_of),
        ),
    )


def _counted() -> exp.Expr:
    """`judged_all` less `pending`, as it is; then `pending` through the windows: `m` merges the
    records sharing a case, `c` caps those still counting under a cap."""
    return query(
        f"""
        WITH m AS (
          SELECT {_VERDICT}, cap, cap_max,
            CASE WHEN ROW_NUMBER() OVER (
                   PARTITION BY subject_id, case_ref
                   ORDER BY ABS(points) DESC, occurred_at, record_id) > 1
                 THEN 'merged' END AS reason
          FROM pending WHERE case_ref IS NOT NULL
        ), c AS (
          SELECT {_VERDICT}, cap, cap_max, CAST(NULL AS VARCHAR) AS reason FROM pending
          WHERE case_ref IS NULL
          UNION ALL
          SELECT * FROM m WHERE reason IS NULL AND cap IS NOT NULL
        )
        SELECT {_VERDICT}, reason0 AS reason, CAST(points AS BIGINT) AS counted
        FROM judged_all
        WHERE reason0 IS NOT NULL OR (case_ref IS NULL AND cap IS NULL)
        UNION ALL
        SELECT {_VERDICT}, reason, CAST(points AS BIGINT) AS counted
        FROM m WHERE reason IS NOT NULL OR cap IS NULL
        UNION ALL
        SELECT {_VERDICT}, reason,
          CAST(LEAST(points, GREATEST(0, cap_max - (SUM(points) OVER (
            PARTITION BY subject_id, cap ORDER BY occurred_at, record_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - points))) AS BIGINT) AS counted
        FROM c
        """
    )


def _standing(as_of: date) -> exp.Expr:
    """Where each subject is on `as_of` (the region of its latest record by then, ties to the
    larger record id; before any, of its first record) and the pack governing there then."""
    return query(
        """
        SELECT w.subject_id, w.region, w.kind, g.pack FROM (
          SELECT subject_id, MIN(kind) AS kind,
            COALESCE(
              ARG_MAX(CASE WHEN occurred_at <= :as_of THEN region END,
                      CASE WHEN occurred_at <= :as_of
                           THEN CAST(occurred_at AS VARCHAR) || record_id END),
              ARG_MIN(region, CAST(occurred_at AS VARCHAR) || record_id)) AS region
          FROM judged_all GROUP BY subject_id
        ) AS w
        LEFT JOIN governance AS g
          ON g.region = w.region AND g.kind = w.kind
         AND (g.since IS NULL OR g.since <= :as_of) AND (g.until IS NULL OR :as_of < g.until)
        """,
        as_of=value(as_of),
    )


def _scores(in_force: dict[str, PackVersion], as_of: date) -> exp.Expr:
    """Each subject's score under the version in force of the pack its standing names; subjects
    whose pack has none are left to `unjudged`."""
    score: exp.Expr = exp.Null()
    tier: exp.Expr = exp.Null()
    if in_force:
        score, tier = exp.Case(this=exp.column("pack")), exp.Case(this=exp.column("pack"))
        for pack_id, now in in_force.items():
            score = score.when(value(pack_id), _clamped(now), copy=False)
            tier = tier.when(value(pack_id), _tier(now), copy=False)
    known = (
        exp.In(this=exp.column("pack"), expressions=[value(p) for p in in_force])
        if in_force
        else exp.false()
    )
    # A later record, or the expiry of one that occurred (counting or not), may move the score.
    return query(
        """
        SELECT subject_id, pack, score, :tier AS tier, changes_on FROM (
          SELECT subject_id, pack, CAST(:score AS BIGINT) AS score, changes_on FROM (
            SELECT t.subject_id, s.pack, t.total, t.changes_on FROM (
              SELECT subject_id,
                COALESCE(SUM(CASE WHEN reason IS NULL THEN counted END), 0) AS total,
                MIN(CASE WHEN occurred_at > :as_of THEN occurred_at
                         WHEN expires_on > :as_of THEN expires_on END) AS changes_on
              FROM counted GROUP BY subject_id
            ) AS t JOIN standing AS s ON s.subject_id = t.subject_id
            WHERE :known
          ) AS u
        ) AS v
        """,
        tier=tier,
        score=score,
        as_of=value(as_of),
        known=known,
    )


def _clamped(now: PackVersion) -> exp.Expr:
    spec = now.pack.score
    total: exp.Expr = exp.Add(this=value(spec.base), expression=exp.column("total"))
    if spec.floor is not None:
        total = exp.Greatest(this=total, expressions=[value(spec.floor)])
    if spec.ceiling is not None:
        total = exp.Least(this=total, expressions=[value(spec.ceiling)])
    return total


def _tier(now: PackVersion) -> exp.Expr:
    catch_all = value(now.pack.tiers[-1].name)
    bands = [t for t in now.pack.tiers if t.min is not None]
    if not bands:
        return catch_all
    case = exp.Case()
    for t in bands:
        case = case.when(
            exp.GTE(this=exp.column("score"), expression=value(t.min)), value(t.name), copy=False
        )
    return case.else_(catch_all, copy=False)


def _scored(rulebook: Rulebook, as_of: date) -> exp.Expr:
    """A version coming into force anywhere may change what governs a subject, or how one of
    its records is judged: the first such day bounds every score (a score judged again then
    that has not changed costs a recompute, not an error)."""
    later = [v.effective_from for v in rulebook.all_versions() if v.effective_from > as_of]
    return query(
        """
        SELECT s.subject_id, s.pack, s.score, s.tier,
               CAST(LEAST(s.changes_on, e.until, :next_version) AS DATE) AS valid_until
        FROM scores AS s
        LEFT JOIN (SELECT subject_id, MIN(until) AS until FROM list_entries GROUP BY subject_id)
          AS e ON e.subject_id = s.subject_id
        """,
        next_version=value(min(later)) if later else exp.cast(exp.Null(), "date"),
    )


def _unjudged(in_force: dict[str, PackVersion]) -> exp.Expr:
    known = (
        exp.In(this=exp.column("pack"), expressions=[value(p) for p in in_force])
        if in_force
        else exp.false()
    )
    return query(
        """
        SELECT subject_id, region, kind, pack,
          CASE WHEN pack IS NULL THEN 'no pack governs ' || kind || 's in ' || region
               ELSE 'pack ' || pack || ' has no version in force' END AS reason
        FROM standing WHERE pack IS NULL OR NOT :known
        """,
        known=known,
    )
