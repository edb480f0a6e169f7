"""The `judged` stage: one row per record of a pack, with everything about it that needs no other
record (SPEC §4.1–4.3, §4.6, the status part of §4.2, and which lists it admits to or repairs).

It is the one stage that reads the ledger, and the one that is materialised: narrow (no
attributes), so that the later stages, which read it several times, read little. Records that
occur after `as_of` are kept, marked `later`: they bound a score's validity and can repair a list
entry, but they never count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlglot import exp

from credo.adapters.engines.sql.columns import attribute_column
from credo.adapters.engines.sql.rules import (
    ColumnFor,
    NumberedRules,
    condition,
    date_plus,
    numbered_rules,
    points,
    query,
    rule_columns,
    value,
)
from credo.domain.rules import ir
from credo.domain.rules.packs import RecordMatch
from credo.domain.rules.rulebook import PackHistory, PackVersion


def columns(table: str | None = None) -> ColumnFor:
    return lambda field, type_: exp.column(attribute_column(field, type_), table=table)


def version_cases(
    versions: list[PackVersion], each: Mapping[int, exp.Expr], *, table: str | None = None
) -> exp.Case:
    """The value as the version in force when the record occurred: `each` maps the number of a
    version (1 for the first) to its value; versions without one give NULL."""
    case = exp.Case(this=exp.column("v_then", table=table))
    for i in range(1, len(versions) + 1):
        if i in each:
            case = case.when(exp.Literal.number(i), each[i], copy=False)
    return case


def list_match(spec: RecordMatch | None, v: PackVersion) -> exp.Expr:
    if spec is None:
        return exp.false()
    return condition(ir.match(v.pack, spec), columns(), exp.column("type"))


def list_columns(versions: list[PackVersion], now: PackVersion) -> list[exp.Expr]:
    """For the n-th list of the version in force: `admits_n`, by the version in force when the
    record occurred. It already weighs the record's status (a withdrawn or overturned record
    does not admit; a disputed one does not while disputes suspend), so `judged` need not keep
    the status flags. What repairs an entry is found among all the subject's records, whichever
    pack judges them (see `credo.adapters.engines.sql.lists`)."""
    standing = exp.and_(exp.not_(exp.column("withdrawn")), exp.not_(exp.column("overturned")))
    undisputed = exp.not_(exp.column("disputed"))
    admissible = (
        exp.and_(standing, undisputed)
        if now.pack.objection.while_disputed == "suspend"
        else standing
    )
    out: list[exp.Expr] = []
    for n, list_id in enumerate(now.lists):
        admits = {
            i: list_match(v.lists[list_id].spec.admit, v)
            for i, v in enumerate(versions, start=1)
            if list_id in v.lists
        }
        admitted = version_cases(versions, admits).else_(exp.false(), copy=False)
        out.append(exp.alias_(exp.and_(admitted, admissible), f"admits_{n}"))
    return out


def rules(history: PackHistory) -> NumberedRules:
    """The rules of every version, numbered: `judged` keeps the number (`hit`), not the rule id,
    and the later stages read the rule id off it."""
    tables = [ir.rule_table(v.pack) for v in history.versions]
    return numbered_rules(tables, exp.column("v_then"), columns(), exp.column("type"))


VERDICT_THEN = """
  l AS (SELECT *, :v_then AS v_then FROM ledger WHERE pack = :pack),
  h AS (SELECT *, :hit AS hit FROM l),
  p AS (SELECT *, :p_then AS p_then, :valid_days AS valid_days FROM h)
"""
"""A pack's records with the version in force when each occurred (`v_then`, 1 for the oldest),
the number of the rule it hits then (`hit`), its points then and how long they last: the
verdict the staged engine's `judged` and the fold's judge both start from (`verdict_then`
gives the parameters)."""


def verdict_then(history: PackHistory, numbered: NumberedRules) -> dict[str, exp.Expr]:
    """The parameters of `VERDICT_THEN` for `history`; `numbered`: `rules(history)`."""
    v_then = exp.Case()
    for i, v in reversed(list(enumerate(history.versions, start=1))):
        v_then = v_then.when(
            exp.GTE(this=exp.column("occurred_at"), expression=value(v.effective_from)),
            exp.Literal.number(i),
            copy=False,
        )

    def valid(b: ir.Branch) -> exp.Expr:
        return exp.Literal.number(b.valid_days) if b.valid_days else exp.Null()

    return {
        "v_then": v_then,
        "pack": value(history.id),
        "hit": numbered.hit,
        "p_then": numbered.value(lambda b: points(b.points, columns())),
        "valid_days": numbered.value(valid),
    }


def judged(
    history: PackHistory, now: PackVersion | None, as_of: date, numbered: NumberedRules
) -> exp.Expr:
    """The records this pack judges: those of its regions from the day it governs them (see
    `ledger_sql.ledger`). `now` is its version in force on `as_of`; None when it has none, and
    then each of its records either occurs later or came before any version (no rule).
    `numbered`: `rules(history)`, built once for every stage of the pack."""
    versions = list(history.versions)
    typ = exp.column("type")
    # The points the version in force on `as_of` would give: the same as then for most records.
    p_now: exp.Expr = exp.Null()
    if now is not None:
        now_number = versions.index(now) + 1
        p_now = exp.Case().when(
            exp.EQ(this=exp.column("v_then"), expression=exp.Literal.number(now_number)),
            exp.column("p_then"),
            copy=False,
        )
        p_now = p_now.else_(
            rule_columns(ir.rule_table(now.pack), columns(), typ).points, copy=False
        )

    suspend = now is not None and now.pack.objection.while_disputed == "suspend"
    cap_of, cap_max = _caps(history.id, numbered, now)
    stage = query(
        f"""
        WITH {VERDICT_THEN}, j AS (
          SELECT *,
            CASE WHEN p_then < 0 THEN GREATEST(p_then, LEAST(COALESCE(:p_now, 0), 0))
                 ELSE p_then END AS points,
            :expires AS expires_on
          FROM p
        )
        SELECT record_id, subject_id, region, kind, occurred_at, case_ref, pack, v_then, hit,
          :rule AS rule, points, expires_on,
          CASE WHEN points > 0 THEN :cap_of END AS cap,
          CASE WHEN points > 0 THEN :cap_max END AS cap_max,
          CASE WHEN occurred_at > :as_of THEN 'later'
               WHEN withdrawn THEN 'withdrawn' WHEN overturned THEN 'overturned'
               WHEN hit IS NULL THEN 'no-rule' WHEN expires_on <= :as_of THEN 'expired'
               WHEN disputed AND :suspend THEN 'disputed' END AS reason0
        FROM j
        """,
        **verdict_then(history, numbered),
        p_now=p_now,
        expires=date_plus(exp.column("occurred_at"), exp.column("valid_days")),
        rule=exp.cast(numbered.value(lambda b: value(b.rule_id)), exp.DataType.Type.VARCHAR),
        cap_of=cap_of,
        cap_max=cap_max,
        as_of=value(as_of),
        suspend=value(suspend),
    )
    assert isinstance(stage, exp.Select)
    return stage.select(*list_columns(versions, now)) if now is not None else stage


def _caps(pack: str, numbered: NumberedRules, now: PackVersion | None) -> tuple[exp.Expr, exp.Expr]:
    """The cap of the version in force that a record's rule falls under (named with its pack,
    since caps are per pack), and that cap's maximum; NULL for rules under no cap."""
    if now is None or not now.pack.caps:
        return exp.cast(exp.Null(), exp.DataType.Type.VARCHAR), exp.cast(
            exp.Null(), exp.DataType.Type.BIGINT
        )
    first_cap: dict[str, tuple[str, int]] = {}
    for cap in reversed(now.pack.caps):  # a rule under two caps falls under the first
        first_cap.update(dict.fromkeys(cap.rules, (f"{pack}/{cap.id}", cap.max)))

    def of(b: ir.Branch) -> exp.Expr:
        found = first_cap.get(b.rule_id)
        return value(found[0]) if found else exp.Null()

    def most(b: ir.Branch) -> exp.Expr:
        found = first_cap.get(b.rule_id)
        return value(found[1]) if found else exp.Null()

    return (
        exp.cast(numbered.value(of), exp.DataType.Type.VARCHAR),
        exp.cast(numbered.value(most), exp.DataType.Type.BIGINT),
    )


def unjudged_records(as_of: date) -> exp.Expr:
    """The records no pack judges (none governed their region when they occurred): in
    `judged_all` with the columns of the others, so that they say where their subject is, and
    show as giving no points."""
    return query(
        """
        SELECT record_id, subject_id, region, kind, occurred_at, case_ref, pack,
          CAST(NULL AS VARCHAR) AS rule, CAST(0 AS BIGINT) AS points,
          CAST(NULL AS DATE) AS expires_on,
          CASE WHEN occurred_at > :as_of THEN 'later'
               WHEN withdrawn THEN 'withdrawn' WHEN overturned THEN 'overturned'
               ELSE 'no-rule' END AS reason0,
          CAST(NULL AS VARCHAR) AS cap, CAST(NULL AS BIGINT) AS cap_max
        FROM ledger WHERE pack IS NULL
        """,
        as_of=value(as_of),
    )
