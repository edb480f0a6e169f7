"""What one may learn (SPEC §5, §7): a provider resending its own record about another subject
gets the same conflict whether that subject exists or not, and a consumer's check names the
tier that triggered a measure, never the subject's score."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, record

pytestmark = pytest.mark.reliability


def test_a_conflict_does_not_tell_whether_another_subject_exists(api: Api) -> None:
    assert api.post_records(record("p-1", ref="TP-1")).status_code == 200
    # o-2 exists, as an organisation, from this provider's own judgment record
    org = record(
        "o-2", "court.judgment_default", "CT-9", kind="organisation", region="CN-SD",
        occurred_at="2026-10-01", attributes={"amount": 1_000_000}, case_ref="C-9",
    )  # fmt: skip
    assert api.post_records(org).json()["results"][0]["status"] == "created"

    def resend(subject: str) -> dict[str, object]:
        body = record(subject, ref="TP-1")  # TP-1 about a person, as first sent
        got = api.post_records(body)
        assert got.status_code == 200, got.text
        result: dict[str, object] = got.json()["results"][0]
        result.pop("record_id", None)
        return result

    existing, missing = resend("o-2"), resend("p-404")
    assert existing["status"] == "conflict", existing
    assert existing == missing
    assert "organisation" not in str(existing)


def test_a_tier_measure_names_the_tier_not_the_score(api: Api) -> None:
    for ref, severity in (("TP-5", 5), ("TP-6", 5), ("TP-7", 5), ("TP-8", 5)):
        api.post_records(record(ref=ref, attributes={"severity": severity}))
    got = api.call(
        "POST", "/v1/checks", "consumer_b", json={"subject": "p-1", "context": "bike.rental"}
    )
    assert got.status_code == 200, got.text
    tiers = [r["trigger"] for r in got.json()["reasons"] if "tier" in r["trigger"]]
    assert tiers
    assert all(set(t) == {"tier"} for t in tiers)
    assert "score" not in got.text
