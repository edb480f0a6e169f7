"""Bad input is refused with a reason that names the field; good input becomes a Record."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from ruamel.yaml import YAML

from credo.domain.errors import InvalidRecord
from credo.domain.ledger.intake import parse_record
from credo.domain.ledger.records import record_id_for
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackVersion, Rulebook

TODAY = date(2026, 11, 22)
PACK = """
pack: town
version: 1
effective_from: 2026-01-01
jurisdiction: XX-TW
subject_kinds: [person]
score: {base: 1000}
tiers: [{name: A, min: 1000}, {name: B, min: null}]
record_types:
  traffic.violation:
    domain: traffic
    fields:
      severity: {type: integer, min: 1, max: 5}
      zone: {type: string, enum: [a, b], required: false}
  tax.arrears:
    domain: tax
    fields: {amount: {type: number, min: 0}, settled: {type: boolean, required: false}}
  civic.volunteering:
    domain: civic
    fields: {hours: {type: integer, min: 1}}
  court.judgment_default:
    domain: judicial
    case_ref: required
rules:
  - {id: speeding, record: traffic.violation, points: -5, basis: law}
  - {id: volunteer, record: civic.volunteering, points: 5, basis: law}
"""


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return Rulebook([PackVersion(Pack.model_validate(YAML(typ="safe", pure=True).load(PACK)))])


def good(**overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "subject": {"id": "p-1", "kind": "person", "region": "XX-TW-01"},
        "type": "traffic.violation",
        "occurred_at": "2026-03-01",
        "source": "police",
        "source_ref": "TP-1",
        "attributes": {"severity": 2},
        "evidence": {"uri": "https://records.example/TP-1.pdf", "sha256": "a" * 64},
    }
    record.update(overrides)
    return record


def test_a_good_record_is_accepted(rulebook: Rulebook) -> None:
    r = parse_record(good(case_ref="C-1"), rulebook, TODAY)
    assert (r.subject.id, r.type, r.occurred_at, r.attributes) == (
        "p-1",
        "traffic.violation",
        date(2026, 3, 1),
        {"severity": 2},
    )
    assert r.record_id.startswith("r")
    assert len(r.record_id) == 25


def test_a_reward_needs_no_evidence(rulebook: Rulebook) -> None:
    r = parse_record(
        good(type="civic.volunteering", attributes={"hours": 3}, evidence=None), rulebook, TODAY
    )
    assert r.evidence is None


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ([1, 2], None, "a JSON object, not a list"),
        ("text", None, "not a string"),
        (good(pionts=3), None, "unknown key(s) pionts"),
        (good(subject=None), "subject", "required"),
        (good(subject={"id": "p 1", "kind": "person", "region": "XX-TW"}), "subject.id", "p 1"),
        (good(subject={"id": "x" * 65, "kind": "person", "region": "XX-TW"}), "subject.id", ""),
        (good(subject={"id": "p-1", "kind": "cat", "region": "XX-TW"}), "subject.kind", "cat"),
        (good(subject={"id": "p-1", "kind": "person", "region": "xx"}), "subject.region", "xx"),
        (good(subject={"id": "p-1", "kind": "person", "region": "YY"}), "subject", "no pack"),
        (good(type="dog.walking"), "type", "not a record type of pack `town`"),
        (good(occurred_at="2026-02-30"), "occurred_at", "not a real date"),
        (good(occurred_at="01/03/2026"), "occurred_at", "YYYY-MM-DD"),
        (good(occurred_at=20260301), "occurred_at", "YYYY-MM-DD"),
        (good(occurred_at="2027-01-01"), "occurred_at", "in the future"),
        (good(source_ref=" TP-1"), "source_ref", "starts or ends with a space"),
        (good(source_ref="TP-1 "), "source_ref", "starts or ends with a space"),
        (good(source_ref="TP\n1"), "source_ref", "U+000A, is a control character"),
        (good(source="police\u200b"), "source", "U+200B ZERO WIDTH SPACE, is a format"),
        (good(source_ref="TP-\u202e1"), "source_ref", "RIGHT-TO-LEFT OVERRIDE, is a bidi"),
        (good(case_ref="案\u3000号"), "case_ref", "IDEOGRAPHIC SPACE, is a space other"),
        (good(source_ref="号" * 129), "source_ref", "has 129 characters"),
        (good(source_ref=17), "source_ref", "must be a string, not a number"),
        (good(type="court.judgment_default", attributes={}), "case_ref", "is required"),
        (good(attributes={"severity": "2"}), "attributes.severity", "must be a number"),
        (good(attributes={"severity": 2.5}), "attributes.severity", "whole number"),
        (good(attributes={"severity": 9}), "attributes.severity", "above the maximum 5"),
        (good(attributes={"severity": True}), "attributes.severity", "must be a number"),
        (good(attributes={}), "attributes.severity", "required"),
        (good(attributes={"severity": 2, "colour": "red"}), "attributes", "unknown attribute"),
        (good(attributes={"severity": 2, "zone": "c"}), "attributes.zone", "not one of a, b"),
        (good(attributes=[1]), "attributes", "must be an object"),
        (good(evidence=None), "evidence", "penalty (-5 points by rule `speeding`) needs evidence"),
        (good(evidence={"uri": "x", "sha256": "a" * 64}), "evidence.uri", "not a URI"),
        (good(evidence={"uri": "https://e/1", "sha256": "zz"}), "evidence.sha256", "64"),
        (
            good(type="tax.arrears", attributes={"amount": float("nan")}),
            "attributes.amount",
            "finite",
        ),
        (
            good(type="tax.arrears", attributes={"amount": float("inf")}),
            "attributes.amount",
            "finite",
        ),
        (good(type="tax.arrears", attributes={"amount": -1}), "attributes.amount", "below"),
    ],
)
def test_bad_input_is_refused_with_its_reason(
    rulebook: Rulebook, raw: object, field: str | None, words: str
) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record(raw, rulebook, TODAY)
    assert caught.value.field == field
    assert words in caught.value.detail


def test_csv_values_are_read_by_their_declared_type(rulebook: Rulebook) -> None:
    raw = good(type="tax.arrears", attributes={"amount": "1250.5", "settled": "false"}, case_ref="")
    r = parse_record(raw, rulebook, TODAY, text=True)
    assert r.attributes == {"amount": 1250.5, "settled": False}
    assert r.case_ref is None
    with pytest.raises(InvalidRecord, match="not a number"):
        parse_record(
            good(type="tax.arrears", attributes={"amount": "lots"}), rulebook, TODAY, text=True
        )


def test_the_same_content_has_the_same_fingerprint(rulebook: Rulebook) -> None:
    a = parse_record(good(), rulebook, TODAY)
    b = parse_record(good(), rulebook, TODAY)
    c = parse_record(good(attributes={"severity": 3}), rulebook, TODAY)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert a.record_id == c.record_id  # same idempotency key


def test_a_record_id_that_comes_along_must_be_the_derived_one(rulebook: Rulebook) -> None:
    derived = parse_record(good(), rulebook, TODAY).record_id
    assert parse_record(good(record_id=derived), rulebook, TODAY).record_id == derived
    with pytest.raises(InvalidRecord) as refused:
        parse_record(good(record_id="r" + "0" * 24), rulebook, TODAY)
    assert refused.value.field == "record_id"
    assert derived in refused.value.detail


@pytest.mark.parametrize(
    ("source", "source_ref", "case_ref"),
    [
        ("荣成市公安局交通警察大队", "荣公交罚〔2026〕第0017号", "（2026）鲁1082执123号"),
        ("traffic police", "TP 2026 000991", "RC 2026 17"),
        ("ΑΣΤΥΝΟΜΙΑ", "Ω-2026/0017", "𠀀𠀁-2026"),  # Greek, and CJK beyond the BMP
    ],
)
def test_references_in_any_script_are_accepted_as_written(
    rulebook: Rulebook, source: str, source_ref: str, case_ref: str
) -> None:
    r = parse_record(good(source=source, source_ref=source_ref, case_ref=case_ref), rulebook, TODAY)
    assert (r.source, r.source_ref, r.case_ref) == (source, source_ref, case_ref)
    assert r.record_id == record_id_for(source, source_ref)


def test_two_spellings_of_one_reference_are_one_key(rulebook: Rulebook) -> None:
    """NFC at intake: a precomposed `é` and `e` with a combining accent are one reference, so a
    replay in the other spelling is the same record, not a second one."""
    composed, decomposed = "Préfecture-17", "Pre\u0301fecture-17"
    assert composed != decomposed
    a = parse_record(good(source_ref=composed, case_ref=decomposed), rulebook, TODAY)
    b = parse_record(good(source_ref=decomposed, source="poli\u0301ce"), rulebook, TODAY)
    assert a.source_ref == b.source_ref == composed
    assert a.case_ref == composed
    assert b.source == "pol\u00edce" == unicodedata.normalize("NFC", "poli\u0301ce")
    assert a.record_id == record_id_for("police", composed)
    replay = parse_record(good(source_ref=decomposed, case_ref=composed), rulebook, TODAY)
    assert replay.fingerprint() == a.fingerprint()


def test_a_type_that_requires_a_case_ref_takes_a_record_that_has_one(rulebook: Rulebook) -> None:
    with pytest.raises(InvalidRecord) as refused:
        parse_record(good(type="court.judgment_default", attributes={}), rulebook, TODAY)
    assert refused.value.field == "case_ref"
    assert "`case_ref: required` in pack `town`" in refused.value.detail
    r = parse_record(
        good(type="court.judgment_default", attributes={}, case_ref="（2026）鲁1082执123号"),
        rulebook,
        TODAY,
    )
    assert r.case_ref == "（2026）鲁1082执123号"
    # Other types keep case_ref optional.
    assert parse_record(good(), rulebook, TODAY).case_ref is None
