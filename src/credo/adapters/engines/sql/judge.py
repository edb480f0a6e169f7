"""The judge: each record's date-independent verdict (`credo.domain.scoring.fold`), as SQL over the
`ledger` relation (`credo.adapters.engines.sql.ledger`), one query per pack, compiled from the
same rule tree as the online path and the staged engine (`judged.rules`, `rules.rule_columns`).

`judged_records` gives one row per record of a pack with its version then, rule (numbered as
`credo.domain.scoring.judged.Numbering` numbers it), fate, expiry and points under each version of
its pack; `judged_lists` one row per list entry a record opens, with the first repair's day;
`assemble` numbers subjects, places and shared cases and sorts the rows by subject.
"""

from __future__ import annotations

from sqlglot import exp

from credo.adapters.engines.sql.judged import (
    VERDICT_THEN,
    columns,
    list_match,
    rules,
    verdict_then,
    version_cases,
)
from credo.adapters.engines.sql.lists import repair_tests
from credo.adapters.engines.sql.rules import date_plus, query, rule_columns, value
from credo.domain.rules import ir
from credo.domain.rules.rulebook import PackHistory
from credo.domain.scoring.judged import NEVER, Numbering

RECORD_COLUMNS = (
    "record_id, subject_id, region, kind, occurred_at, case_ref, pack, rule, fate, disputed, "
    "expires_on"
)


def points_columns(k: int) -> list[str]:
    return [f"points_{i}" for i in range(k)]


def judged_records(history: PackHistory, pack_no: int, numbering: Numbering) -> exp.Expr:
    versions = list(history.versions)
    numbered = rules(history)
    typ = exp.column("type")

    stage = query(
        f"""
        WITH {VERDICT_THEN}
        SELECT record_id, subject_id, region, kind, occurred_at, case_ref,
          CAST(:pack_no AS SMALLINT) AS pack,
          CAST(COALESCE(hit + :offset, -1) AS INT) AS rule,
          CAST(CASE WHEN withdrawn THEN 1 WHEN overturned THEN 2 WHEN hit IS NULL THEN 3
                    ELSE 0 END AS TINYINT) AS fate,
          disputed, :expires AS expires_on
        FROM p
        """,
        **verdict_then(history, numbered),
        pack_no=exp.Literal.number(pack_no),
        offset=exp.Literal.number(numbering.rule_offsets[pack_no] - 1),
        expires=date_plus(exp.column("occurred_at"), exp.column("valid_days")),
    )
    assert isinstance(stage, exp.Select)
    p_then = exp.column("p_then")
    out: list[exp.Expr] = []
    for k, name in enumerate(points_columns(numbering.versions)):
        if k >= len(versions):  # no such version of this pack: never read
            out.append(exp.alias_(exp.func("COALESCE", p_then, exp.Literal.number(0)), name))
            continue
        # SPEC §4.3 under version k: a penalty softened by a milder rule, or repealed (0).
        p_k = rule_columns(ir.rule_table(versions[k].pack), columns(), typ).points
        milder = query(
            """
            CASE WHEN p_then IS NULL THEN 0
                 WHEN p_then >= 0 OR v_then >= :k THEN p_then
                 ELSE GREATEST(p_then, LEAST(COALESCE(:p_k, 0), 0)) END
            """,
            k=exp.Literal.number(k + 1),
            p_k=p_k,
        )
        out.append(exp.alias_(exp.cast(milder, exp.DataType.Type.BIGINT), name))
    # For `judged_lists`, which reads this pack's table rather than the ledger again: the
    # version then, and per list id whether the record opens an entry (never once withdrawn or
    # overturned). Left out of the union of every pack's records.
    out.append(exp.column("v_then"))
    standing = exp.and_(exp.not_(exp.column("withdrawn")), exp.not_(exp.column("overturned")))
    for k, list_id in enumerate(list_ids(history)):
        having = {i: v for i, v in enumerate(versions, start=1) if list_id in v.lists}
        admits = version_cases(
            versions, {i: list_match(v.lists[list_id].spec.admit, v) for i, v in having.items()}
        ).else_(exp.false(), copy=False)
        out.append(exp.alias_(exp.and_(admits, standing), f"admits_{k}"))
    return stage.select(*out)


def list_ids(history: PackHistory) -> list[str]:
    return sorted({list_id for v in history.versions for list_id in v.lists})


def unjudged_records(numbering: Numbering) -> exp.Expr:
    """The records no pack judges: they never count, but say where their subject is."""
    stage = query(
        """
        SELECT record_id, subject_id, region, kind, occurred_at, case_ref,
          CAST(-1 AS SMALLINT) AS pack, CAST(-1 AS INT) AS rule,
          CAST(CASE WHEN withdrawn THEN 1 WHEN overturned THEN 2 ELSE 3 END AS TINYINT) AS fate,
          disputed, CAST(NULL AS DATE) AS expires_on
        FROM ledger WHERE pack IS NULL
        """
    )
    assert isinstance(stage, exp.Select)
    return stage.select(
        *(
            exp.alias_(exp.cast(exp.Literal.number(0), exp.DataType.Type.BIGINT), name)
            for name in points_columns(numbering.versions)
        )
    )


def judged_lists(
    history: PackHistory, pack_no: int, numbering: Numbering, judged: str
) -> list[exp.Expr]:
    """Per list id any version of the pack has: the entries its records open (`admits_k` of
    the pack's `judged` table, by the version in force when each occurred), with the day of the
    first repair (any record of the subject and case that the admitting version's `repair`
    matches, whichever pack judges it, on or after the admission, not withdrawn or
    overturned)."""
    versions = list(history.versions)
    out: list[exp.Expr] = []
    for k, list_id in enumerate(list_ids(history)):
        having = {i: v for i, v in enumerate(versions, start=1) if list_id in v.lists}
        days = version_cases(
            versions, {i: value(v.lists[list_id].spec.duration_days) for i, v in having.items()}
        )
        repaired, repairing = repair_tests(versions, list_id)
        out.append(
            query(
                f"""
                WITH a AS (
                  SELECT subject_id, record_id, case_ref, v_then, occurred_at AS since,
                         disputed, CAST(:days AS INT) AS days
                  FROM {judged} WHERE admits_{k}
                ), r AS (
                  SELECT * FROM ledger
                  WHERE case_ref IS NOT NULL AND :repairing AND NOT withdrawn AND NOT overturned
                ), rep AS (
                  SELECT a.record_id, MIN(r.occurred_at) AS repaired_on
                  FROM a JOIN r
                    ON r.subject_id = a.subject_id AND r.case_ref = a.case_ref
                   AND r.occurred_at >= a.since
                  WHERE :repaired
                  GROUP BY a.record_id
                )
                SELECT a.subject_id, a.record_id, CAST(:list_no AS INT) AS list,
                       CAST(:pack_no AS SMALLINT) AS pack, a.since, a.days, rep.repaired_on,
                       a.disputed
                FROM a LEFT JOIN rep ON a.record_id = rep.record_id
                """,
                days=days,
                repairing=repairing,
                repaired=repaired,
                list_no=exp.Literal.number(numbering.lists.index(list_id)),
                pack_no=exp.Literal.number(pack_no),
            )
        )
    return out


_NO_LISTS = """
SELECT CAST(NULL AS VARCHAR) AS subject_id, CAST(NULL AS VARCHAR) AS record_id,
  CAST(NULL AS INT) AS list, CAST(NULL AS SMALLINT) AS pack, CAST(NULL AS DATE) AS since,
  CAST(NULL AS INT) AS days, CAST(NULL AS DATE) AS repaired_on, CAST(NULL AS BOOLEAN) AS disputed
FROM (SELECT 1 AS one) AS nothing WHERE 1 = 0
"""


def union(tables: list[str], columns: list[str] | None = None) -> exp.Expr:
    """The tables' rows (`columns` of them, or all) one after another, built without copying:
    `exp.union` copies what it is given, which grows with the square of the number of packs.
    No tables: no list entries."""
    if not tables:
        return query(_NO_LISTS)
    out: exp.Expr = exp.select(*(columns or ["*"])).from_(tables[0])
    for table in tables[1:]:
        part = exp.select(*(columns or ["*"])).from_(table)
        out = exp.Union(this=out, expression=part, distinct=False)
    return out


def assemble(numbering: Numbering) -> dict[str, exp.Expr]:
    """From `judged_raw` and `judged_lists_raw`: the subjects and places numbered (by id, and by
    region and kind), the cases that can hold more than one record numbered, and the judged
    ledger's tables, records sorted by subject, `occurred_at`, record id."""
    never = exp.Literal.number(NEVER)
    pts = ", ".join(f"j.{c}" for c in points_columns(numbering.versions))
    return {
        "subjects": query(
            """
            SELECT subject_id, CAST(ROW_NUMBER() OVER (ORDER BY subject_id) - 1 AS INT) AS subject
            FROM (SELECT DISTINCT subject_id FROM judged_raw) AS s
            """
        ),
        "places": query(
            """
            SELECT region, kind,
              CAST(ROW_NUMBER() OVER (ORDER BY region, kind) - 1 AS INT) AS place
            FROM (SELECT DISTINCT region, kind FROM judged_raw) AS p
            """
        ),
        "cases": query(
            """
            SELECT subject_id, case_ref,
              CAST(ROW_NUMBER() OVER (ORDER BY subject_id, case_ref) - 1 AS INT) AS case_no
            FROM judged_raw WHERE case_ref IS NOT NULL AND fate = 0
            GROUP BY subject_id, case_ref HAVING COUNT(*) > 1
            """
        ),
        "records": query(
            f"""
            SELECT s.subject, j.record_id,
              CAST(DATEDIFF('day', DATE '1970-01-01', j.occurred_at) AS INT) AS occurred,
              CAST(COALESCE(DATEDIFF('day', DATE '1970-01-01', j.expires_on), :never) AS INT)
                AS expires,
              j.pack, j.rule, j.fate, CAST(j.disputed AS TINYINT) AS disputed,
              CAST(COALESCE(c.case_no, -1) AS INT) AS case_no,
              pl.place, {pts}
            FROM judged_raw AS j
            JOIN subjects AS s ON s.subject_id = j.subject_id
            JOIN places AS pl ON pl.region = j.region AND pl.kind = j.kind
            LEFT JOIN cases AS c ON c.subject_id = j.subject_id AND c.case_ref = j.case_ref
            ORDER BY s.subject, j.occurred_at, j.record_id
            """,
            never=never,
        ),
        "lists": query(
            """
            SELECT s.subject, j.record_id, j.list, j.pack,
              CAST(DATEDIFF('day', DATE '1970-01-01', j.since) AS INT) AS since, j.days,
              CAST(COALESCE(DATEDIFF('day', DATE '1970-01-01', j.repaired_on), :never) AS INT)
                AS repaired,
              CAST(j.disputed AS TINYINT) AS disputed
            FROM judged_lists_raw AS j JOIN subjects AS s ON s.subject_id = j.subject_id
            """,
            never=never,
        ),
    }
