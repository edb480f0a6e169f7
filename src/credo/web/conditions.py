"""A rule's `when` written for a reader (`severity ≤ 2`, `kind = evasion`) rather than as the
pack's YAML: the rulebook page shows what each rule asks of a record."""

from __future__ import annotations

from collections.abc import Mapping

OPERATORS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "∈",
    "not_in": "∉",
}


def _value(value: object) -> str:
    if isinstance(value, list):
        return "{" + ", ".join(_value(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(when: Mapping[str, object]) -> str:
    """Each field's tests joined by `, ` (all must hold); `any` groups by ` | ` (one must)."""
    parts = []
    for field, test in when.items():
        if field == "any" and isinstance(test, list):
            parts.append(
                "(" + " | ".join(describe(w) for w in test if isinstance(w, Mapping)) + ")"
            )
        elif isinstance(test, Mapping):
            parts.extend(f"{field} {OPERATORS.get(op, op)} {_value(v)}" for op, v in test.items())
        else:
            parts.append(f"{field} = {_value(test)}")
    return ", ".join(parts)
