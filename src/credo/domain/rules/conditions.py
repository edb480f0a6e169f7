"""Checks the structure of a `when` block and tells, for each problem, where it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from credo.domain.errors import article
from credo.domain.rules.fields import FIELDS, NUMERIC
from credo.domain.rules.packs import OPS, FieldSpec

Path = tuple[str | int, ...]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong at `path`. An error keeps the pack from being adopted; a warning says the
    pack does less than it seems to (a list never published, an entry never repaired) and is
    adopted with it, unless the check is strict."""

    path: Path
    message: str
    severity: Severity = "error"


_ORDERED = {"gt", "gte", "lt", "lte"}


def check_when(
    when: object, fields: dict[str, FieldSpec], record_type: str, path: Path
) -> Iterator[Problem]:
    if not isinstance(when, dict):
        yield Problem(path, "`when` must be a mapping of field tests")
        return
    for key, spec in when.items():
        here = (*path, key)
        if key == "any":
            if not isinstance(spec, list) or not spec:
                yield Problem(here, "`any` takes a non-empty list of `when` mappings")
                continue
            for i, alt in enumerate(spec):
                yield from check_when(alt, fields, record_type, (*here, i))
            continue
        field = fields.get(key)
        if field is None:
            known = ", ".join(sorted(fields)) or "none"
            yield Problem(
                here,
                f"field `{key}` is not declared by record type `{record_type}` (declared: {known})",
            )
            continue
        if not isinstance(spec, dict) or not spec:
            yield Problem(here, "a field test is a mapping such as {lte: 2}")
            continue
        for op, value in spec.items():
            yield from _check_test(field, str(op), value, (*here, op))


def _check_test(field: FieldSpec, op: str, value: object, path: Path) -> Iterator[Problem]:
    if op not in OPS:
        yield Problem(path, f"unknown test `{op}`; use one of {', '.join(OPS)}")
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            yield Problem(path, f"`{op}` takes a non-empty list")
            return
        for v in value:
            yield from _check_value(field, v, path)
        return
    if op in _ORDERED and field.type not in NUMERIC:
        yield Problem(path, f"`{op}` compares numbers, but the field is a {field.type}")
        return
    yield from _check_value(field, value, path)


def _check_value(field: FieldSpec, value: object, path: Path) -> Iterator[Problem]:
    if not FIELDS[field.type].holds(value):
        yield Problem(path, f"{value!r} is not {article(field.type)}, which the field holds")
