"""Compiles the rule tree (`credo.domain.rules.ir`) to Python closures: the online scoring path."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from credo.domain.rules.ir import AllOf, AnyOf, Branch, Cond, Fixed, IsType, Points, RuleTable, Test

Attributes = Mapping[str, object]
Predicate = Callable[[Attributes], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _always(_: Attributes) -> bool:
    return True


def split_type(cond: Cond) -> tuple[str, Cond | None]:
    """Every rule and list match starts with the record type; dispatch on it, test the rest."""
    if isinstance(cond, IsType):
        return cond.record_type, None
    if isinstance(cond, AllOf) and isinstance(cond.parts[0], IsType):
        rest = cond.parts[1:]
        return cond.parts[0].record_type, (rest[0] if len(rest) == 1 else AllOf(rest))
    raise ValueError("a rule condition starts with its record type")


def predicate(cond: Cond | None) -> Predicate:
    if cond is None:
        return _always
    if isinstance(cond, Test):
        return _test(cond)
    if isinstance(cond, AllOf):
        parts = [predicate(p) for p in cond.parts]
        return lambda attrs: all(p(attrs) for p in parts)
    if isinstance(cond, AnyOf):
        alts = [predicate(p) for p in cond.parts]
        return lambda attrs: any(p(attrs) for p in alts)
    raise TypeError(f"{cond!r} cannot be tested on attributes")


def _test(test: Test) -> Predicate:
    name, value = test.field, test.value
    if test.op in ("in", "not_in"):
        members = frozenset(value) if isinstance(value, tuple) else frozenset((value,))
        wanted = test.op == "in"
        return lambda attrs: (v := attrs.get(name)) is not None and ((v in members) is wanted)
    compare = _COMPARE[test.op]
    return lambda attrs: (v := attrs.get(name)) is not None and compare(v, value)


def points_fn(points: Points) -> Callable[[Attributes], int]:
    if isinstance(points, Fixed):
        fixed = points.points
        return lambda _attrs: fixed
    field, step, each, cap = points.field, points.step, points.each, points.cap

    def scaled(attrs: Attributes) -> int:
        amount = attrs[field]
        assert isinstance(amount, int | float)
        p = math.floor(amount / step) * each
        if cap is None:
            return p
        return max(p, cap) if each < 0 else min(p, cap)

    return scaled


@dataclass(frozen=True, slots=True)
class Hit:
    rule_id: str
    points: int
    valid_days: int | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule_id: str
    test: Predicate
    points: Callable[[Attributes], int]
    valid_days: int | None


class CompiledRules:
    """A rule table as closures grouped by record type, first hit wins."""

    __slots__ = ("_by_type",)

    def __init__(self, table: RuleTable) -> None:
        self._by_type: dict[str, list[_Compiled]] = {}
        for branch in table.branches:
            record_type, rest = split_type(branch.cond)
            self._by_type.setdefault(record_type, []).append(_compile(branch, rest))

    def match(self, record_type: str, attrs: Attributes) -> Hit | None:
        for c in self._by_type.get(record_type, ()):
            if c.test(attrs):
                return Hit(c.rule_id, c.points(attrs), c.valid_days)
        return None


def _compile(branch: Branch, rest: Cond | None) -> _Compiled:
    return _Compiled(branch.rule_id, predicate(rest), points_fn(branch.points), branch.valid_days)


class CompiledMatch:
    """A list's `admit` or `repair`: record type plus an optional `when`."""

    __slots__ = ("_test", "record_type")

    def __init__(self, cond: Cond) -> None:
        self.record_type, rest = split_type(cond)
        self._test = predicate(rest)

    def __call__(self, record_type: str, attrs: Attributes) -> bool:
        return record_type == self.record_type and self._test(attrs)
