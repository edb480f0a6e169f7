"""`POST /v1/checks`: decisions with reasons (SPEC §4.9), only in a consumer's own contexts,
each one logged; the subject reads that log about itself."""

from __future__ import annotations

from tests.api.conftest import NOW, TODAY, Api, record

RAIL = {"subject": "p-1", "context": "rail.high-speed-ticket"}


def on_the_list(api: Api) -> None:
    default = record(
        "p-1",
        "court.judgment_default",
        "CT-1",
        occurred_at="2026-11-01",
        attributes={"amount": 50_000},
        case_ref="RC-1",
    )
    assert api.post_records(default).json()["created"] == 1


def test_a_deny_names_its_measure_trigger_basis_and_how_to_object(api: Api) -> None:
    on_the_list(api)
    got = api.call("POST", "/v1/checks", "consumer_a", json=RAIL).json()
    assert (got["subject"], got["context"], got["decision"], got["terms"]) == (
        "p-1",
        "rail.high-speed-ticket",
        "deny",
        {},
    )
    assert got["as_of"] == TODAY.isoformat()
    [reason] = got["reasons"]
    assert reason["measure"] == "no-high-speed-rail"
    assert reason["effect"] == "deny"
    assert reason["trigger"]["list"] == "judgment-defaulters"
    assert reason["trigger"]["since"] == "2026-11-01"
    assert "Fa Shi" in reason["basis"]
    assert "Object to record" in reason["objection"]


def test_a_grant_carries_its_terms(api: Api) -> None:
    on_the_list(api)  # -100
    api.post_records(record(ref="TP-5", attributes={"severity": 5}))  # -50
    api.post_records(record(ref="TP-3", attributes={"severity": 3}))  # -20: 830, tier C
    bike = {"subject": "p-1", "context": "bike.rental"}
    got = api.call("POST", "/v1/checks", "consumer_b", json=bike).json()
    assert (got["decision"], got["terms"]) == ("allow", {"deposit": 200})
    assert [r["trigger"] for r in got["reasons"]] == [{"tier": "C"}]  # never the score


def test_only_registered_contexts_are_checked_and_refusals_are_not_logged(api: Api) -> None:
    on_the_list(api)
    refused = api.call("POST", "/v1/checks", "consumer_b", json=RAIL)
    assert refused.status_code == 403
    assert "not registered for context 'rail.high-speed-ticket'" in refused.json()["detail"]
    assert api.ctx.access.checks_about("p-1") == []


def test_an_unknown_subject_is_not_found(api: Api) -> None:
    response = api.call("POST", "/v1/checks", "consumer_a", json=RAIL | {"subject": "p-77"})
    assert response.status_code == 404


def test_every_check_is_logged_and_the_subject_reads_the_log(api: Api) -> None:
    on_the_list(api)
    for _ in range(3):
        api.call("POST", "/v1/checks", "consumer_a", json=RAIL)
    page = api.call("GET", "/v1/subjects/p-1/checks?limit=2", "subject_a").json()
    assert [c["seq"] for c in page["items"]] == [3, 2]
    first = page["items"][0]
    assert (first["consumer"], first["context"], first["decision"]) == (
        "railway",
        "rail.high-speed-ticket",
        "deny",
    )
    assert first["measures"] == ["no-high-speed-rail"]
    assert first["at"].startswith(NOW.date().isoformat())
    rest = api.call("GET", f"/v1/subjects/p-1/checks?before={page['next']}", "subject_a").json()
    assert [c["seq"] for c in rest["items"]] == [1]
    assert rest["next"] is None
    assert api.call("GET", "/v1/subjects/p-2/checks", "subject_b").json()["items"] == []
