"""Nothing is made harsher after the fact (SPEC §3): which records a proposed rulebook would
judge more harshly than the one in force, worked out on the golden packs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ruamel.yaml import YAML

from credo.domain.ledger.records import ACTIVE, Evidence, LedgerRecord, Record, RecordStatus
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.hardening import hardened
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackVersion, Rulebook

PACKS = Path(__file__).parents[1] / "golden" / "packs"
EVIDENCE = Evidence("https://records.example/h.pdf", "0" * 64)
_yaml = YAML(typ="safe", pure=True)


def pack(name: str, **changes: object) -> PackVersion:
    doc = _yaml.load((PACKS / f"{name}.yaml").read_text(encoding="utf-8"))
    doc.update(changes)
    return PackVersion(Pack.model_validate(doc))


def revised(name: str, version: int, effective_from: date, **rule_points: int) -> PackVersion:
    """`name` as a new version from `effective_from`, with some rules' points changed."""
    doc = _yaml.load((PACKS / f"{name}.yaml").read_text(encoding="utf-8"))
    doc.update(version=version, effective_from=effective_from)
    for rule in doc["rules"]:
        if rule["id"] in rule_points:
            rule["points"] = rule_points[rule["id"]]
    return PackVersion(Pack.model_validate(doc))


def record(
    ref: str, day: date, type_: str = "traffic.violation", region: str = "XT-TOWN", **attrs: object
) -> Record:
    return Record(
        Subject("p-1", "person", region),
        type_,
        day,
        "police",
        ref,
        dict(attrs) or ({"severity": 1} if type_ == "traffic.violation" else {}),
        EVIDENCE,
        "K-1" if type_.startswith("court.") else None,
    )


def harder(before: list[PackVersion], added: PackVersion, records: list[Record]) -> list[str]:
    ledger = [LedgerRecord(r, ACTIVE) for r in records]
    found = hardened(Rulebook(before), Rulebook([*before, added]), [ledger])
    return [f"{h.record.source_ref}: {h.how}" for h in found]


def test_a_backdated_revision_that_raises_a_penalty_is_harsher() -> None:
    """The issue's example: a record of 2026-03-01 would go from -5 to -30 under a version
    dated before it and adopted after it."""
    v1 = pack("town-v1")
    v2 = revised("town-v1", 2, date(2024, 2, 1), **{"traffic-minor": -30})
    assert harder([v1], v2, [record("T-1", date(2024, 3, 1))]) == [
        "T-1: -30 points on 2024-03-01 instead of -5"
    ]


def test_a_revision_taking_effect_after_the_records_it_would_raise_is_not_harsher() -> None:
    """Dated after the record, the harsher rule never reaches back (SPEC §4.3)."""
    v1 = pack("town-v1")
    v2 = revised("town-v1", 2, date(2024, 6, 1), **{"traffic-minor": -30})
    assert harder([v1], v2, [record("T-1", date(2024, 3, 1))]) == []


def test_softening_and_repealing_are_never_harsher() -> None:
    v1 = pack("town-v1")
    softer = revised("town-v1", 2, date(2024, 2, 1), **{"traffic-minor": -1, "unpaid-bill": 0})
    records = [
        record("T-1", date(2024, 3, 1)),
        record("U-1", date(2024, 3, 1), "utility.unpaid_bill", amount=10.0),
    ]
    assert harder([v1], softer, records) == []


def test_a_later_version_cannot_take_back_a_milder_penalty() -> None:
    """v2 softened traffic-minor to -2 from 2025-01-01; a v3 putting it back at -4 would give
    the record of 2024 -4 where it now counts -2: harsher, though still milder than its -5."""
    v1, v2 = pack("town-v1"), pack("town-v2")
    v3 = revised("town-v2", 3, date(2025, 6, 1), **{"traffic-minor": -4})
    assert harder([v1, v2], v3, [record("T-1", date(2024, 10, 1))]) == [
        "T-1: -4 points on 2025-06-01 instead of -2"
    ]


def test_a_smaller_reward_dated_back_is_harsher() -> None:
    v1 = pack("town-v1")
    v2 = revised("town-v1", 2, date(2024, 1, 15), volunteering=4)
    reward = record("V-1", date(2024, 3, 1), "civic.volunteering", hours=10)
    assert harder([v1], v2, [reward]) == ["V-1: 4 points on 2024-03-01 instead of 10"]


def test_a_new_more_specific_pack_dated_back_judges_old_records_anew() -> None:
    """A county pack dated before the records in its region would judge them itself."""
    province = pack("province-v1")
    county = pack("county-v1", effective_from=date(2024, 1, 1))
    records = [record("T-1", date(2024, 3, 1), region="XP-CT")]
    # county-traffic (-5) is milder than province-traffic (-10): softening is adopted.
    assert harder([province], county, records) == []
    harsh = revised("county-v1", 1, date(2024, 1, 1), **{"county-traffic": -50})
    assert harder([province], harsh, records) == ["T-1: -50 points on 2024-03-01 instead of -10"]
    # From its own date, 2024-07-01, the county judges none of them.
    later = revised("county-v1", 1, date(2024, 7, 1), **{"county-traffic": -50})
    assert harder([province], later, records) == []


def test_a_longer_black_list_entry_is_harsher() -> None:
    """Dated back, the county's own defaulters list would hold a province judgment for 180
    days instead of 365: shorter, so adopted; a county list of 900 days is refused."""
    province = pack("province-v1")
    default = record("J-1", date(2024, 3, 1), "court.judgment_default", region="XP-CT")
    shorter = pack("county-v1", effective_from=date(2024, 1, 1))
    assert harder([province], shorter, [default]) == []
    doc = _yaml.load((PACKS / "county-v1.yaml").read_text(encoding="utf-8"))
    doc.update(effective_from=date(2024, 1, 1))
    doc["rules"] = [r for r in doc["rules"] if r["id"] != "county-judgment"]
    doc["lists"][0]["duration_days"] = 900
    longer = PackVersion(Pack.model_validate(doc))
    assert harder([province], longer, [default]) == ["J-1: on list defaulters on 2025-03-01"]


def test_withdrawn_and_overturned_records_cannot_be_judged_more_harshly() -> None:
    v1 = pack("town-v1")
    v2 = revised("town-v1", 2, date(2024, 2, 1), **{"traffic-minor": -30})
    ledger = [
        LedgerRecord(record("T-1", date(2024, 3, 1)), RecordStatus(withdrawn=True)),
        LedgerRecord(record("T-2", date(2024, 3, 1)), RecordStatus(overturned=True)),
    ]
    assert list(hardened(Rulebook([v1]), Rulebook([v1, v2]), [ledger])) == []


def test_a_rulebooks_history_loads_into_an_empty_ledger() -> None:
    v1 = pack("town-v1")
    v2 = revised("town-v1", 2, date(2024, 2, 1), **{"traffic-minor": -30})
    assert list(hardened(Rulebook([v1]), Rulebook([v1, v2]), [])) == []
