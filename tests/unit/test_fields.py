"""The table of field types: every row complete, and intake, pack checks and engines reading it."""

from __future__ import annotations

import re
from typing import get_args

import pyarrow as pa
import pytest
from sqlglot import exp

from credo.domain.rules.fields import FIELDS, NUMERIC, FieldType, NotOfType


def test_every_field_type_has_one_complete_row() -> None:
    assert list(FIELDS) == list(get_args(FieldType))
    for kind in FIELDS.values():
        assert isinstance(exp.DataType.build(exp.DataType.Type[kind.sql]), exp.DataType)
        assert isinstance(getattr(pa, kind.arrow)(), pa.DataType)
    assert {"integer", "number"} == NUMERIC


@pytest.mark.parametrize(
    ("type_", "text", "value"),
    [("integer", "12", 12), ("number", "2.5", 2.5), ("boolean", "Yes", True), ("string", "x", "x")],
)
def test_text_is_read_to_the_value_json_gives(type_: FieldType, text: str, value: object) -> None:
    kind = FIELDS[type_]
    assert kind.take(kind.read(text)) == value == kind.take(value)
    assert kind.holds(value)


@pytest.mark.parametrize(
    ("type_", "value", "reason"),
    [
        ("integer", 1.5, "must be a whole number, not 1.5"),
        ("integer", True, "must be a number, not bool"),
        ("number", float("inf"), "must be a finite number, not inf"),
        ("number", "3", "must be a number, not a string"),
        ("string", 3, "must be a string, not a number"),
        ("boolean", "yes", "must be true or false, not 'yes'"),
    ],
)
def test_a_value_of_another_type_is_refused_with_what_it_is(
    type_: FieldType, value: object, reason: str
) -> None:
    with pytest.raises(NotOfType, match=f"^{re.escape(reason)}$"):
        FIELDS[type_].take(value)


def test_a_pack_compares_a_field_only_with_values_of_its_type() -> None:
    assert FIELDS["integer"].holds(3)
    assert not FIELDS["integer"].holds(3.0)
    assert FIELDS["number"].holds(3.0)
    assert not FIELDS["number"].holds(float("nan"))
    assert not FIELDS["boolean"].holds(1)
    assert not FIELDS["string"].holds(None)
    with pytest.raises(NotOfType, match=r"^'many' is not an integer$"):
        FIELDS["integer"].read("many")
