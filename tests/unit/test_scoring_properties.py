"""Properties of SPEC §4 that hold for every pack and ledger, on small generated ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from credo.domain.ledger.records import ACTIVE, Evidence, LedgerRecord, Record, RecordStatus
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackHistory, PackVersion, Rulebook
from credo.domain.scoring.explanation import explain
from credo.domain.scoring.score import Assessment, assess

FIRST = date(2024, 1, 1)
SECOND = date(2024, 7, 1)
SUBJECT = Subject("s-1", "person", "XT-P")
EVIDENCE = Evidence("https://records.example/p.pdf", "0" * 64)

RECORD_TYPES: dict[str, Any] = {
    "traffic.violation": {"domain": "traffic", "fields": {"severity": {"type": "integer"}}},
    "tax.arrears": {"domain": "tax", "fields": {"amount": {"type": "number", "min": 0}}},
    "civic.volunteering": {"domain": "civic", "fields": {"hours": {"type": "integer"}}},
    "civic.blood_donation": {"domain": "civic"},
    "court.judgment_default": {"domain": "judicial"},
    "court.judgment_satisfied": {"domain": "judicial"},
}
REWARD_TYPES = ("civic.volunteering", "civic.blood_donation")

valid_days = st.sampled_from([None, 30, 90, 365])
penalty = st.integers(-60, -1)


@st.composite
def rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(draw(st.integers(0, 2))):
        out.append(
            {
                "id": f"traffic-{n}",
                "record": "traffic.violation",
                "when": {"severity": {"lte": draw(st.integers(1, 5))}},
                "points": draw(penalty),
                "valid_days": draw(valid_days),
            }
        )
    if draw(st.booleans()):
        out.append(
            {
                "id": "tax",
                "record": "tax.arrears",
                "points": {
                    "per": "amount",
                    "step": draw(st.sampled_from([100, 1000, 2500])),
                    "each": draw(st.integers(-10, -1)),
                    "cap": draw(st.none() | st.integers(-80, -5)),
                },
                "valid_days": draw(valid_days),
            }
        )
    if draw(st.booleans()):
        out.append(
            {
                "id": "volunteering",
                "record": "civic.volunteering",
                "points": draw(
                    st.integers(1, 40)
                    | st.builds(
                        lambda step, each, cap: {
                            "per": "hours",
                            "step": step,
                            "each": each,
                            "cap": cap,
                        },
                        st.sampled_from([1, 5, 10]),
                        st.integers(1, 10),
                        st.none() | st.integers(5, 60),
                    )
                ),
                "valid_days": draw(valid_days),
            }
        )
    if draw(st.booleans()):
        out.append(
            {
                "id": "blood-donation",
                "record": "civic.blood_donation",
                "points": draw(st.integers(1, 40)),
                "valid_days": draw(valid_days),
            }
        )
    if draw(st.booleans()):
        out.append(
            {
                "id": "judgment-default",
                "record": "court.judgment_default",
                "points": draw(penalty),
                "valid_days": draw(valid_days),
            }
        )
    return [{**r, "basis": "Test Code, art. 1"} for r in out]


@st.composite
def pack_versions(draw: st.DrawFn) -> PackHistory:
    versions = [
        _version(draw, 1, FIRST),
        *([_version(draw, 2, SECOND)] if draw(st.booleans()) else []),
    ]
    return PackHistory(PackVersion(v) for v in versions)


def _version(draw: st.DrawFn, number: int, effective: date) -> Pack:
    base = draw(st.integers(0, 200))
    floor = draw(st.none() | st.integers(0, base))
    ceiling = draw(st.none() | st.integers(base, base + 100))
    rs = draw(rules())
    rewards = [r["id"] for r in rs if r["record"] in REWARD_TYPES]
    # One cap over every reward rule, or none: a cap over some of them breaks the monotony
    # of rewards (test_adding_a_capped_reward_that_wins_its_case_never_lowers_a_score).
    capped: bool = bool(rewards) and draw(st.booleans())
    cap_max: int = draw(st.integers(1, 80))
    caps = [{"id": "civic", "rules": rewards, "max": cap_max, "basis": "Test"}] if capped else []
    return Pack.model_validate(
        {
            "pack": "prop",
            "version": number,
            "effective_from": effective,
            "jurisdiction": "XT",
            "subject_kinds": ["person"],
            "score": {"base": base, "floor": floor, "ceiling": ceiling},
            "tiers": [
                {"name": "high", "min": base + 20},
                {"name": "mid", "min": base - 20},
                {"name": "low", "min": None},
            ],
            "objection": {"while_disputed": draw(st.sampled_from(["suspend", "keep"]))},
            "record_types": RECORD_TYPES,
            "rules": rs,
            "caps": caps,
            "lists": [
                {
                    "id": "defaulters",
                    "kind": "black",
                    "admit": {"record": "court.judgment_default"},
                    "duration_days": draw(st.sampled_from([30, 180, 365])),
                    "repair": {"record": "court.judgment_satisfied"},
                    "basis": "Test Code, art. 2",
                }
            ],
        }
    )


days = st.integers(-90, 600).map(lambda n: FIRST + timedelta(days=n))
statuses = st.builds(RecordStatus, st.booleans(), st.booleans(), st.booleans())


@st.composite
def records(draw: st.DrawFn, ref: str, types: tuple[str, ...] = tuple(RECORD_TYPES)) -> Record:
    record_type = draw(st.sampled_from(types))
    attributes: dict[str, int | float] = {}
    if record_type == "traffic.violation":
        attributes["severity"] = draw(st.integers(1, 5))
    elif record_type == "tax.arrears":
        attributes["amount"] = draw(st.integers(0, 60_000) | st.floats(0, 60_000))
    elif record_type == "civic.volunteering":
        attributes["hours"] = draw(st.integers(1, 80))
    return Record(
        subject=SUBJECT,
        type=record_type,
        occurred_at=draw(days),
        source=draw(st.sampled_from(["src-a", "src-b"])),
        source_ref=ref,
        attributes=attributes,
        evidence=EVIDENCE,
        case_ref=draw(st.sampled_from([None, "K-1", "K-2"])),
    )


@st.composite
def ledgers(draw: st.DrawFn) -> list[LedgerRecord]:
    n = draw(st.integers(1, 10))  # a subject is known by its records: it has one at least
    return [LedgerRecord(draw(records(f"R-{i}")), draw(statuses)) for i in range(n)]


as_of_dates = st.integers(0, 800).map(lambda n: FIRST + timedelta(days=n))


def _rate(history: PackHistory, ledger: list[LedgerRecord], as_of: date) -> Assessment:
    return assess(SUBJECT.id, Rulebook(history.versions), ledger, as_of)


@given(pack_versions(), ledgers(), as_of_dates)
def test_score_stays_within_floor_and_ceiling(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date
) -> None:
    a = _rate(history, ledger, as_of)
    bounds = history.require(as_of).pack.score
    if bounds.floor is not None:
        assert a.score >= bounds.floor
    if bounds.ceiling is not None:
        assert a.score <= bounds.ceiling


@given(pack_versions(), ledgers(), as_of_dates)
def test_score_is_the_clamped_sum_and_tier_its_band(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date
) -> None:
    a = _rate(history, ledger, as_of)
    pack = history.require(as_of).pack
    assert a.unclamped - pack.score.base == sum(c.points for c in a.contributions)
    floor, ceiling = pack.score.floor, pack.score.ceiling
    expected = a.unclamped
    if floor is not None and expected < floor:
        expected = floor
    if ceiling is not None and expected > ceiling:
        expected = ceiling
    assert a.score == expected
    band = next(t.name for t in pack.tiers if t.min is None or t.min <= a.score)
    assert a.tier == band


@given(pack_versions(), ledgers(), as_of_dates)
def test_every_record_up_to_the_date_is_counted_or_excluded_once(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date
) -> None:
    a = _rate(history, ledger, as_of)
    shown = [c.record.source_ref for c in a.contributions] + [
        x.record.source_ref for x in a.excluded
    ]
    assert sorted(shown) == sorted(
        lr.record.source_ref for lr in ledger if lr.record.occurred_at <= as_of
    )
    case_refs = [c.record.case_ref for c in a.contributions if c.record.case_ref]
    assert len(case_refs) == len(set(case_refs))


@given(pack_versions(), ledgers(), as_of_dates, st.data())
def test_adding_a_reward_never_lowers_a_score(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date, data: st.DataObject
) -> None:
    reward = data.draw(records("NEW", REWARD_TYPES))
    then = history.in_force(reward.occurred_at)
    hit = then.rules.match(reward.type, reward.attributes) if then else None
    assume(hit is not None and hit.points > 0)
    before = _rate(history, ledger, as_of)
    after = _rate(history, [*ledger, LedgerRecord(reward, ACTIVE)], as_of)
    assert after.score >= before.score


@pytest.mark.xfail(
    strict=True,
    reason="scoring._merge_cases picks a case's record by |points| before _apply_caps, so a "
    "capped reward can displace an uncapped one and then count for less",
)
def test_adding_a_capped_reward_that_wins_its_case_never_lowers_a_score() -> None:
    """The generator keeps every reward rule under one cap, where this cannot happen; here a
    cap covers volunteering only. V-1 fills the cap (45); V-2 (+45, capped to 0) shares a case
    with B-1 (+40, uncapped) and displaces it: 100 + 45 + 40 = 185 becomes 100 + 45 + 0."""
    pack = Pack.model_validate(
        {
            "pack": "prop",
            "version": 1,
            "effective_from": FIRST,
            "jurisdiction": "XT",
            "subject_kinds": ["person"],
            "score": {"base": 100},
            "tiers": [{"name": "all", "min": None}],
            "record_types": RECORD_TYPES,
            "rules": [
                {"id": "volunteering", "record": "civic.volunteering", "points": 45, "basis": "x"},
                {"id": "blood", "record": "civic.blood_donation", "points": 40, "basis": "x"},
            ],
            "caps": [{"id": "civic", "rules": ["volunteering"], "max": 45, "basis": "x"}],
        }
    )
    history = PackHistory([PackVersion(pack)])

    def record(record_type: str, ref: str, day: int, case_ref: str | None) -> LedgerRecord:
        occurred = FIRST + timedelta(days=day)
        return LedgerRecord(
            Record(
                SUBJECT,
                record_type,
                occurred,
                "src-a",
                ref,
                {"hours": 8} if record_type == "civic.volunteering" else {},
                case_ref=case_ref,
            )
        )

    ledger = [
        record("civic.volunteering", "V-1", 30, None),
        record("civic.blood_donation", "B-1", 60, "K-1"),
    ]
    reward = record("civic.volunteering", "V-2", 60, "K-1")
    as_of = FIRST + timedelta(days=120)
    before = _rate(history, ledger, as_of).score
    assert before == 185
    assert _rate(history, [*ledger, reward], as_of).score >= before


@given(pack_versions(), ledgers(), as_of_dates, st.data())
def test_withdrawing_a_penalty_never_lowers_a_score(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date, data: st.DataObject
) -> None:
    penalties = [i for i, lr in enumerate(ledger) if _points_then(history, lr.record) < 0]
    assume(penalties)
    i = data.draw(st.sampled_from(penalties))
    withdrawn = list(ledger)
    withdrawn[i] = LedgerRecord(ledger[i].record, replace(ledger[i].status, withdrawn=True))
    assert _rate(history, withdrawn, as_of).score >= _rate(history, ledger, as_of).score


@given(pack_versions(), ledgers(), as_of_dates, st.data())
def test_the_order_of_records_changes_nothing(
    history: PackHistory, ledger: list[LedgerRecord], as_of: date, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(ledger))
    rulebook = Rulebook(history.versions)
    a = explain(SUBJECT.id, rulebook, ledger, as_of)
    b = explain(SUBJECT.id, rulebook, shuffled, as_of)
    assert (a.assessment.score, a.assessment.tier) == (b.assessment.score, b.assessment.tier)
    assert a.assessment.contributions == b.assessment.contributions
    assert a.assessment.excluded == b.assessment.excluded
    assert a.assessment.lists == b.assessment.lists
    assert a.next_change == b.next_change


def _points_then(history: PackHistory, record: Record) -> int:
    then = history.in_force(record.occurred_at)
    hit = then.rules.match(record.type, record.attributes) if then else None
    return hit.points if hit else 0
