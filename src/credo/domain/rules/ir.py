"""The one definition of what a pack's rules mean, as a small expression tree.

Pack YAML is parsed into these nodes once; `credo.domain.scoring.evaluate` compiles them to Python
closures for the online path and `credo.adapters.engines.sql.rules` compiles them through sqlglot to
SQL for the population engines. Neither compiler reads YAML, so they cannot drift apart on what
a rule says.
"""

from __future__ import annotations

from dataclasses import dataclass

from credo.domain.rules.fields import FieldType, Scalar
from credo.domain.rules.packs import Op, Pack, RecordMatch, ScaledPoints


@dataclass(frozen=True, slots=True)
class IsType:
    record_type: str


@dataclass(frozen=True, slots=True)
class Test:
    """`field op value`; a test on a field the record lacks is false, as NULL is in SQL."""

    field: str
    type: FieldType
    op: Op
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Cond, ...]


Cond = IsType | Test | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Fixed:
    points: int


@dataclass(frozen=True, slots=True)
class Scaled:
    """`each` points per whole `step` of `field`, no further than `cap`."""

    field: str
    type: FieldType
    step: int
    each: int
    cap: int | None


Points = Fixed | Scaled


@dataclass(frozen=True, slots=True)
class Branch:
    rule_id: str
    cond: Cond
    points: Points
    valid_days: int | None


@dataclass(frozen=True, slots=True)
class RuleTable:
    """The rules of one pack version: the first branch whose condition holds gives the points."""

    branches: tuple[Branch, ...]


def field_types(pack: Pack, record_type: str) -> dict[str, FieldType]:
    spec = pack.record_types.get(record_type)
    return {name: f.type for name, f in spec.fields.items()} if spec else {}


def condition(pack: Pack, record_type: str, when: dict[str, object]) -> Cond:
    """The condition `record is record_type and when holds`. `when` must have passed the
    checker (`credo.domain.rules.conditions.check_when`)."""
    types = field_types(pack, record_type)
    return _simplify(AllOf((IsType(record_type), _when(types, when))))


def _when(types: dict[str, FieldType], when: dict[str, object]) -> Cond:
    parts: list[Cond] = []
    for key, spec in when.items():
        if key == "any":
            assert isinstance(spec, list)
            parts.append(AnyOf(tuple(_when(types, alt) for alt in spec)))
            continue
        assert isinstance(spec, dict)
        for op, value in spec.items():
            v = tuple(value) if isinstance(value, list) else value
            parts.append(Test(key, types[key], op, v))
    return AllOf(tuple(parts))


def _simplify(cond: Cond) -> Cond:
    if isinstance(cond, AllOf | AnyOf):
        parts = tuple(_simplify(p) for p in cond.parts)
        flat: list[Cond] = []
        for p in parts:
            if type(p) is type(cond):
                flat.extend(p.parts)
            else:
                flat.append(p)
        if len(flat) == 1:
            return flat[0]
        return type(cond)(tuple(flat))
    return cond


def points(pack: Pack, record_type: str, spec: int | ScaledPoints) -> Points:
    if isinstance(spec, int):
        return Fixed(spec)
    field_type = field_types(pack, record_type)[spec.per]
    return Scaled(spec.per, field_type, spec.step, spec.each, spec.cap)


def rule_table(pack: Pack) -> RuleTable:
    return RuleTable(
        tuple(
            Branch(
                rule.id,
                condition(pack, rule.record, rule.when),
                points(pack, rule.record, rule.points),
                rule.valid_days,
            )
            for rule in pack.rules
        )
    )


def match(pack: Pack, spec: RecordMatch) -> Cond:
    return condition(pack, spec.record, spec.when)
