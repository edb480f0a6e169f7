"""Every type a record's attribute may have (SPEC §2), one row each: which values a pack may
compare it with, how intake takes it from JSON and from text, whether it is numeric (ordered,
bounded, scaled), and the column types the engines give it. Whatever depends on a field type
reads this table; a new type is a new row here (and its cases in the tests)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from credo.domain.errors import article, shown

FieldType = Literal["integer", "number", "string", "boolean"]
Scalar = str | int | float | bool
"""An attribute's value, as a record holds it."""


class NotOfType(ValueError):
    """A value that is not of the field's type; the message says what it is instead."""


@dataclass(frozen=True, slots=True)
class Kind:
    holds: Callable[[object], bool]  # a value a pack may write for the field, as it is
    take: Callable[[object], Scalar]  # a submitted JSON value, or NotOfType
    read: Callable[[str], Scalar]  # a value written as text (CSV), or NotOfType
    numeric: bool
    sql: str  # the name of sqlglot's `exp.DataType.Type`
    arrow: str  # the name of pyarrow's type factory


def kind_of(value: object) -> str:
    """What a JSON value is, as a reason names it."""
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__ if value is not None else "null"
    )


def _holds_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: object) -> int | float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise NotOfType(f"must be a number, not {kind_of(value)}")
    return value


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _in_range(n: int) -> int:
    """Every store and engine keeps whole numbers in 64 bits: one beyond is refused, not
    wrapped, rounded or left to fail where it is written."""
    if not INT64_MIN <= n <= INT64_MAX:
        raise NotOfType(f"{shown(n)} is out of range (whole numbers lie within ±9.2 × 10^18)")
    return n


def _integer(value: object) -> int:
    n = _number(value)
    if isinstance(n, float):
        if not n.is_integer():
            raise NotOfType(f"must be a whole number, not {shown(n)}")
        return _in_range(int(n))
    return _in_range(n)


def _finite(value: object) -> float | int:
    n = _number(value)
    if not math.isfinite(n):
        raise NotOfType(f"must be a finite number, not {shown(n)}")
    return _in_range(n) if isinstance(n, int) else n


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise NotOfType(f"must be a string, not {kind_of(value)}")
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise NotOfType(f"must be true or false, not {shown(value)}")
    return value


def _parsed(parse: Callable[[str], Scalar], noun: str) -> Callable[[str], Scalar]:
    def read(text: str) -> Scalar:
        try:
            return parse(text)
        except ValueError:
            raise NotOfType(f"{shown(text)} is not {article(noun)}") from None

    return read


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _read_boolean(text: str) -> bool:
    low = text.lower()
    if low in _TRUE | _FALSE:
        return low in _TRUE
    raise NotOfType(f"{shown(text)} is not true or false")


FIELDS: dict[FieldType, Kind] = {
    "integer": Kind(
        lambda v: isinstance(v, int) and not isinstance(v, bool),
        _integer,
        _parsed(int, "integer"),
        numeric=True,
        sql="BIGINT",
        arrow="int64",
    ),
    "number": Kind(
        _holds_number,
        _finite,
        _parsed(float, "number"),
        numeric=True,
        sql="DOUBLE",
        arrow="float64",
    ),
    "string": Kind(
        lambda v: isinstance(v, str), _string, str, numeric=False, sql="VARCHAR", arrow="string"
    ),
    "boolean": Kind(
        lambda v: isinstance(v, bool),
        _boolean,
        _read_boolean,
        numeric=False,
        sql="BOOLEAN",
        arrow="bool_",
    ),
}
assert set(FIELDS) == set(get_args(FieldType)), "every field type has its row"

NUMERIC: frozenset[FieldType] = frozenset(t for t, k in FIELDS.items() if k.numeric)
