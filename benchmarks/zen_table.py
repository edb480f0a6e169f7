"""A pack's rule table as a GoRules JDM decision table, for zen-engine to evaluate.

Built from the same rule tree as credo's own compilers, so both engines decide the same thing.
OR conditions become one row per alternative (first hit keeps the meaning).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from credo.domain.rules.ir import AllOf, AnyOf, Cond, Fixed, IsType, Points, RuleTable, Test

_OPS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _lit(v: object) -> str:
    return json.dumps(v)


def _unary(t: Test) -> str:
    """A cell test on `$`, the field's value; an absent field (null) never matches."""
    if t.op in ("in", "not_in"):
        values = t.value if isinstance(t.value, tuple) else (t.value,)
        member = f"$ in [{', '.join(_lit(v) for v in values)}]"
        return member if t.op == "in" else f"not({member})"
    return f"$ {_OPS[t.op]} {_lit(t.value)}"


def _points(p: Points) -> str:
    if isinstance(p, Fixed):
        return str(p.points)
    value = f"floor({p.field} / {p.step}) * {p.each}"
    if p.cap is None:
        return value
    return f"{'max' if p.each < 0 else 'min'}([{value}, {p.cap}])"


def _dnf(cond: Cond) -> list[list[Cond]]:
    """Rows of AND-ed atoms whose union is the condition."""
    if isinstance(cond, AllOf):
        rows: list[list[Cond]] = [[]]
        for part in cond.parts:
            rows = [a + b for a, b in itertools.product(rows, _dnf(part))]
        return rows
    if isinstance(cond, AnyOf):
        return [row for part in cond.parts for row in _dnf(part)]
    return [[cond]]


def decision_table(table: RuleTable) -> dict[str, Any]:
    fields = sorted(
        {
            t.field
            for b in table.branches
            for row in _dnf(b.cond)
            for t in row
            if isinstance(t, Test)
        }
    )
    inputs = [{"id": "type", "name": "type", "field": "type"}] + [
        {"id": f"f_{f}", "name": f, "field": f} for f in fields
    ]
    rules = []
    for n, branch in enumerate(table.branches):
        for m, row in enumerate(_dnf(branch.cond)):
            cells: dict[str, str] = {
                "_id": f"r{n}_{m}",
                "rule": _lit(branch.rule_id),
                "points": _points(branch.points),
            }
            for atom in row:
                if isinstance(atom, IsType):
                    cells["type"] = _lit(atom.record_type)
                elif isinstance(atom, Test):
                    key = f"f_{atom.field}"
                    cells[key] = f"{cells.get(key, '$ != null')} and {_unary(atom)}"
            rules.append(cells)
    return {
        "nodes": [
            {"id": "in", "name": "Request", "type": "inputNode", "position": {"x": 0, "y": 0}},
            {
                "id": "rules",
                "name": "rules",
                "type": "decisionTableNode",
                "position": {"x": 200, "y": 0},
                "content": {
                    "hitPolicy": "first",
                    "inputs": inputs,
                    "outputs": [
                        {"id": "rule", "name": "rule", "field": "rule"},
                        {"id": "points", "name": "points", "field": "points"},
                    ],
                    "rules": rules,
                },
            },
            {"id": "out", "name": "Response", "type": "outputNode", "position": {"x": 400, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
