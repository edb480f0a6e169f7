"""Compiles the rule tree (`credo.domain.rules.ir`) to SQL through sqlglot, for the population
engines.

The same tree is compiled to Python closures by `credo.domain.scoring.evaluate`; a differential test
runs both on the same records. SQL is built as sqlglot expressions and rendered per dialect, never
pasted together from strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlglot
from sqlglot import exp

from credo.domain.rules.fields import FieldType, Scalar
from credo.domain.rules.ir import (
    AllOf,
    AnyOf,
    Branch,
    Cond,
    Fixed,
    IsType,
    Points,
    RuleTable,
    Test,
)

ColumnFor = Callable[[str, FieldType], exp.Expr]
"""Where a record's attribute lives in the engine's table: (field, declared type) → column."""

_COMPARE: dict[str, type[exp.Binary]] = {
    "eq": exp.EQ,
    "ne": exp.NEQ,
    "gt": exp.GT,
    "gte": exp.GTE,
    "lt": exp.LT,
    "lte": exp.LTE,
}


class NotSupported(Exception):
    """A rule construct this compiler cannot express in SQL."""


def literal(value: Scalar) -> exp.Expr:
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int | float):
        return exp.Literal.number(repr(value))
    return exp.Literal.string(value)


def condition(cond: Cond, column: ColumnFor, record_type: exp.Expr) -> exp.Expr:
    """A boolean expression; a test on an absent attribute is NULL, and so not a match."""
    if isinstance(cond, IsType):
        return exp.EQ(this=record_type, expression=exp.Literal.string(cond.record_type))
    if isinstance(cond, Test):
        col = column(cond.field, cond.type)
        if cond.op in ("in", "not_in"):
            values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
            member = exp.In(this=col, expressions=[literal(v) for v in values])
            return member if cond.op == "in" else exp.Not(this=exp.Paren(this=member))
        assert not isinstance(cond.value, tuple)
        return _COMPARE[cond.op](this=col, expression=literal(cond.value))
    if isinstance(cond, AllOf):
        return exp.and_(*(condition(p, column, record_type) for p in cond.parts))
    if isinstance(cond, AnyOf):
        return exp.or_(*(condition(p, column, record_type) for p in cond.parts))
    raise NotSupported(f"{cond!r}")


def points(p: Points, column: ColumnFor) -> exp.Expr:
    if isinstance(p, Fixed):
        return literal(p.points)
    amount = exp.cast(column(p.field, p.type), exp.DataType.Type.DOUBLE)
    steps = exp.Floor(this=exp.Div(this=amount, expression=literal(float(p.step))))
    value: exp.Expr = exp.Mul(
        this=exp.cast(steps, exp.DataType.Type.BIGINT), expression=literal(p.each)
    )
    if p.cap is not None:
        bound = exp.Greatest if p.each < 0 else exp.Least
        value = bound(this=value, expressions=[literal(p.cap)])
    return value


@dataclass(frozen=True)
class RuleColumns:
    """The first-hit rule of each record, as three CASE expressions over one row."""

    rule_id: exp.Expr
    points: exp.Expr
    valid_days: exp.Expr


def rule_columns(table: RuleTable, column: ColumnFor, record_type: exp.Expr) -> RuleColumns:
    whens = [(condition(b.cond, column, record_type), b) for b in table.branches]

    def case(value: Callable[[Branch], exp.Expr]) -> exp.Expr:
        if not whens:
            return exp.Null()
        c = exp.Case()
        for cond, branch in whens:
            c = c.when(cond, value(branch), copy=False)
        return c

    return RuleColumns(
        rule_id=case(lambda b: exp.Literal.string(b.rule_id)),
        points=case(lambda b: points(b.points, column)),
        valid_days=case(lambda b: literal(b.valid_days) if b.valid_days else exp.Null()),
    )


@dataclass(frozen=True)
class NumberedRules:
    """The rules of several versions in one numbering: `hit` is the number of the first branch
    that matches in the version a record falls in, so conditions are tested once per record and
    rule, points and validity are read off the number."""

    hit: exp.Expr
    branches: list[Branch]

    def value(self, each: Callable[[Branch], exp.Expr]) -> exp.Expr:
        """A value per branch, read off `hit`. Constants come from an array indexed by `hit`: a
        CASE over `hit` costs an engine a test per distinct value on every row (DuckDB spends
        more on it than on the rule conditions), an array lookup costs one. Values computed from
        the record's attributes take a CASE, tested only where such a branch hit."""
        values = [each(b) for b in self.branches]
        if all(isinstance(v, exp.Null) for v in values):
            return exp.Null()
        constant = [v if _constant(v) else exp.Null() for v in values]
        looked_up = (
            exp.Bracket(
                this=exp.Array(expressions=constant),
                expressions=[exp.cast(exp.column("hit"), exp.DataType.Type.INT)],
                offset=1,
                safe=True,
            )
            if any(not isinstance(v, exp.Null) for v in constant)
            else exp.Null()
        )
        computed: dict[exp.Expr, list[int]] = {}
        for n, v in enumerate(values, start=1):
            if not _constant(v):
                computed.setdefault(v, []).append(n)
        if not computed:
            return looked_up
        case = exp.Case()
        for result, numbers in computed.items():
            case = case.when(
                exp.In(
                    this=exp.column("hit"), expressions=[exp.Literal.number(n) for n in numbers]
                ),
                result,
                copy=False,
            )
        return case.else_(looked_up, copy=False)


def _constant(v: exp.Expr) -> bool:
    return isinstance(v, exp.Literal | exp.Null | exp.Boolean) or (
        isinstance(v, exp.Neg) and isinstance(v.this, exp.Literal)
    )


def numbered_rules(
    tables: Sequence[RuleTable], version: exp.Expr, column: ColumnFor, record_type: exp.Expr
) -> NumberedRules:
    """`version` is 1 for the first of `tables`, 2 for the next; NULL (no version) hits nothing."""
    branches: list[Branch] = []
    hit = exp.Case(this=version)
    for i, table in enumerate(tables, start=1):
        first = exp.Case()
        for branch in table.branches:
            branches.append(branch)
            first = first.when(
                condition(branch.cond, column, record_type),
                exp.Literal.number(len(branches)),
                copy=False,
            )
        hit = hit.when(exp.Literal.number(i), first if table.branches else exp.Null(), copy=False)
    return NumberedRules(hit, branches)


def query(sql: str, **parts: exp.Expr) -> exp.Expr:
    """A fixed query shape; every part that depends on a pack arrives as an expression tree."""
    return exp.replace_placeholders(sqlglot.parse_one(sql, read="duckdb"), **parts)


def value(v: object) -> exp.Expr:
    """A Python value (including None and dates) as a SQL literal."""
    if v is None:
        return exp.Null()
    if isinstance(v, date):
        return exp.cast(exp.Literal.string(v.isoformat()), exp.DataType.Type.DATE)
    if isinstance(v, bool | int | float | str):
        return literal(v)
    return exp.Literal.string(str(v))


def date_plus(day: exp.Expr, days: exp.Expr) -> exp.Expr:
    """A date plus whole days, as `date + int`, which DuckDB and Spark both read as a date: DuckDB
    spends twice as long on `date + INTERVAL (n) DAY`, a timestamp cast back to a date."""
    whole_days = exp.cast(days, exp.DataType.Type.INT)
    return exp.cast(exp.Add(this=day, expression=whole_days), "date")
