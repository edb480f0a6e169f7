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

from credo.adapters.engines.columns import attribute_column
from credo.adapters.engines.sql import (
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
from credo.domain import ir
from credo.domain.packs import RecordMatch
from credo.domain.rulebook import PackHistory, PackVersion


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
    """For the n-th list of the version in force: `admits_n` by the version in force when the
    record occurred, and `repairs_n_v`, whether the record repairs an entry admitted under
    version v (the entry's version decides what repairs it). Both already weigh the record's
    status (a withdrawn or overturned record neither admits nor repairs; a disputed one does
    not admit while disputes suspend), so `judged` need not keep the status flags."""
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
        for i, v in enumerate(versions, start=1):
            spec = v.lists.get(list_id)
            if spec is not None and spec.spec.repair is not None:
                repairs = exp.and_(list_match(spec.spec.repair, v), standing)
                out.append(exp.alias_(repairs, f"repairs_{n}_{i}"))
    return out


def rules(history: PackHistory) -> NumberedRules:
    """The rules of every version, numbered: `judged` keeps the number (`hit`), not the rule id,
    and the later stages read the rule id off it."""
    tables = [ir.rule_table(v.pack) for v in history.versions]
    return numbered_rules(tables, exp.column("v_then"), columns(), exp.column("type"))


def judged(
    history: PackHistory, now: PackVersion, as_of: date, numbered: NumberedRules
) -> exp.Expr:
    """`numbered`: `rules(history)`, built once for every stage of the pack."""
    versions = list(history.versions)
    v_then = exp.Case()
    for i, v in reversed(list(enumerate(versions, start=1))):
        v_then = v_then.when(
            exp.GTE(this=exp.column("occurred_at"), expression=value(v.effective_from)),
            exp.Literal.number(i),
            copy=False,
        )
    typ = exp.column("type")
    now_number = versions.index(now) + 1
    # The points the version in force on `as_of` would give: the same as then for most records.
    p_now = exp.Case().when(
        exp.EQ(this=exp.column("v_then"), expression=exp.Literal.number(now_number)),
        exp.column("p_then"),
        copy=False,
    )
    p_now = p_now.else_(rule_columns(ir.rule_table(now.pack), columns(), typ).points, copy=False)

    def valid(b: ir.Branch) -> exp.Expr:
        return exp.Literal.number(b.valid_days) if b.valid_days else exp.Null()

    suspend = now.pack.objection.while_disputed == "suspend"
    stage = query(
        """
        WITH l AS (
          SELECT *, :v_then AS v_then FROM ledger WHERE pack = :pack
        ), h AS (
          SELECT *, :hit AS hit FROM l
        ), p AS (
          SELECT *, :p_then AS p_then, :valid_days AS valid_days FROM h
        ), j AS (
          SELECT *,
            CASE WHEN p_then < 0 THEN GREATEST(p_then, LEAST(COALESCE(:p_now, 0), 0))
                 ELSE p_then END AS points,
            :expires AS expires_on
          FROM p
        )
        SELECT record_id, subject_id, occurred_at, case_ref, v_then, hit, points, expires_on,
          CASE WHEN occurred_at > :as_of THEN 'later'
               WHEN withdrawn THEN 'withdrawn' WHEN overturned THEN 'overturned'
               WHEN hit IS NULL THEN 'no-rule' WHEN expires_on <= :as_of THEN 'expired'
               WHEN disputed AND :suspend THEN 'disputed' END AS reason0
        FROM j
        """,
        v_then=v_then,
        pack=value(history.id),
        hit=numbered.hit,
        p_then=numbered.value(lambda b: points(b.points, columns())),
        valid_days=numbered.value(valid),
        p_now=p_now,
        expires=date_plus(exp.column("occurred_at"), exp.column("valid_days")),
        as_of=value(as_of),
        suspend=value(suspend),
    )
    assert isinstance(stage, exp.Select)
    return stage.select(*list_columns(versions, now))
