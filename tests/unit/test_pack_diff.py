"""`credo pack diff`: golden cases, each a change an author makes to the shipped rongcheng v2,
and the shipped v1 → v2 against its expected output (tests/golden/pack_diff/)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from credo.domain.rules.pack_diff import diff_json, diff_packs
from credo.domain.rules.packs import Pack
from credo.shipped import packs_dir

GOLDEN = Path(__file__).parents[1] / "golden" / "pack_diff"
_yaml = YAML(typ="safe", pure=True)
V2: dict[str, Any] = _yaml.load((packs_dir() / "rongcheng" / "v2.yaml").read_text(encoding="utf-8"))


def v3(change: Any) -> Pack:
    doc = copy.deepcopy(V2)
    doc.update(version=3, effective_from="2027-01-01")
    change(doc)
    return Pack.model_validate(doc)


def changes(change: Any) -> list[tuple[str, str, str, list[tuple[str, Any, Any]]]]:
    d = diff_packs(Pack.model_validate(V2), v3(change))
    return [(c.part, c.id, c.how, [(f.field, f.old, f.new) for f in c.fields]) for c in d.changes]


def rule(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in doc["rules"] if r["id"] == rule_id)


def test_a_new_version_with_nothing_changed_is_identical() -> None:
    d = diff_packs(Pack.model_validate(V2), v3(lambda doc: None))
    assert d.identical
    assert diff_json(d)["from"] == {"version": 2, "effective_from": "2026-07-01"}
    assert diff_json(d)["to"] == {"version": 3, "effective_from": "2027-01-01"}


def test_points_validity_and_conditions_of_a_rule() -> None:
    def soften(doc: dict[str, Any]) -> None:
        rule(doc, "traffic-serious").update(
            points=-15, valid_days=365, when={"severity": {"eq": 3}}
        )

    assert changes(soften) == [
        (
            "rule",
            "traffic-serious",
            "changed",
            [
                ("when", {"severity": {"in": [3, 4]}}, {"severity": {"eq": 3}}),
                ("points", -20, -15),
                ("valid_days", 730, 365),
            ],
        )
    ]


def test_rules_added_and_removed() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["rules"] = [r for r in doc["rules"] if r["id"] != "fare-evasion"]
        doc["rules"].append(
            {"id": "long-donor", "record": "civic.blood_donation", "points": 5, "basis": "art. 1"}
        )

    found = changes(edit)
    assert [(part, rid, how) for part, rid, how, _ in found] == [
        ("rule", "long-donor", "added"),
        ("rule", "fare-evasion", "removed"),
    ]
    assert ("points", None, 5) in found[0][3]


def test_a_rule_moved_before_another_for_the_same_record_type_is_shown_as_moved() -> None:
    """The first rule that matches gives the points: order among a record type's rules is
    meaning, order among rules for different types is not."""

    def reorder(doc: dict[str, Any]) -> None:
        minor, serious = rule(doc, "traffic-minor"), rule(doc, "traffic-serious")
        rest = [r for r in doc["rules"] if r["id"] not in ("traffic-minor", "traffic-serious")]
        doc["rules"] = [serious, minor, *rest]

    d = diff_packs(Pack.model_validate(V2), v3(reorder))
    assert [(c.id, c.how, c.moved, c.record) for c in d.changes] == [
        ("traffic-serious", "moved", (2, 1), "traffic.violation"),
        ("traffic-minor", "moved", (1, 2), "traffic.violation"),
    ]

    def across_types(doc: dict[str, Any]) -> None:
        doc["rules"] = [*doc["rules"][3:], *doc["rules"][:3]]

    assert changes(across_types) == []


def test_tiers_lists_measures_objections_and_score() -> None:
    def edit(doc: dict[str, Any]) -> None:
        doc["tiers"][2]["min"] = 950
        doc["lists"][0]["duration_days"] = 365
        doc["lists"][0]["repair"] = None
        doc["measures"][2]["terms"] = {"deposit": 0, "free_minutes": 60}
        doc["measures"].append(
            {
                "id": "library-longer-loans",
                "context": "library.loan",
                "effect": "grant",
                "terms": {"weeks": 6},
                "when": {"tier": ["AAA"]},
                "basis": "Library rules, art. 3",
            }
        )
        doc["objection"]["window_days"] = 14
        doc["score"]["ceiling"] = 1200

    assert changes(edit) == [
        ("score", "score", "changed", [("ceiling", None, 1200)]),
        ("objection", "objection", "changed", [("window_days", 7, 14)]),
        ("tier", "A", "changed", [("min", 960, 950)]),
        (
            "list",
            "judgment-defaulters",
            "changed",
            [
                ("duration_days", 730, 365),
                ("repair", {"record": "court.judgment_satisfied", "when": {}}, None),
            ],
        ),
        (
            "measure",
            "bike-rental-no-deposit",
            "changed",
            [("terms", {"deposit": 0, "free_minutes": 30}, {"deposit": 0, "free_minutes": 60})],
        ),
        (
            "measure",
            "library-longer-loans",
            "added",
            [
                ("context", None, "library.loan"),
                ("effect", None, "grant"),
                ("terms", None, {"weeks": 6}),
                ("when", None, {"tier": ["AAA"]}),
                ("basis", None, "Library rules, art. 3"),
            ],
        ),
    ]


@pytest.mark.parametrize("form", ["json", "text"])
def test_the_shipped_revision_against_its_golden_output(form: str) -> None:
    from rich.console import Console

    from credo.cli.pack_diff import render_diff

    d = diff_packs(
        Pack.model_validate(_yaml.load((packs_dir() / "rongcheng" / "v1.yaml").read_text())),
        Pack.model_validate(V2),
    )
    if form == "json":
        got = json.dumps(diff_json(d), indent=2, ensure_ascii=False) + "\n"
    else:
        console = Console(record=True, width=200, file=io.StringIO())
        render_diff(console, d)
        got = console.export_text()
    expected = GOLDEN / f"rongcheng-v1-v2.{form}"
    assert got == expected.read_text(encoding="utf-8")
