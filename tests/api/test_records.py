"""`POST /v1/records`: the validation of `credo ingest`, a result per record, idempotency on
(source, source_ref), providers confined to their own source and types, scores in real time."""

from __future__ import annotations

from datetime import date

from tests.api.conftest import TODAY, Api, record


def statuses(response_json: dict[str, object]) -> list[str]:
    return [r["status"] for r in response_json["results"]]  # type: ignore[attr-defined, index]


def test_one_record_is_created_then_already_present(api: Api) -> None:
    first = api.post_records(record())
    again = api.post_records(record())
    assert first.status_code == again.status_code == 200
    assert statuses(first.json()) == ["created"]
    assert statuses(again.json()) == ["already present"]
    assert first.json()["results"][0]["record_id"] == again.json()["results"][0]["record_id"]
    assert api.ctx.store.count_records() == 1


def test_each_record_of_a_list_gets_its_own_result(api: Api) -> None:
    api.post_records(record(ref="TP-1"))
    body = [
        record(ref="TP-2"),
        record(ref="TP-1"),  # the same again
        record(ref="TP-1", attributes={"severity": 3}),  # other content under the same key
        record(ref="TP-3", attributes={"severity": 9}),
        record(ref="TP-4", occurred_at="2027-01-01"),
        record(ref="TP-5", type_="tax.arrears", attributes={"amount": 5}),
        record(ref="TP-6", source="someone-else"),
        record(ref="TP-7", region="CN-BJ"),  # p-1 is recorded in CN-SD-RC
        record("p-9", ref="TP-8", evidence=None),
    ]
    got = api.post_records(body).json()
    assert statuses(got) == [
        "created",
        "already present",
        "conflict",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    reasons = [r["reason"] or "" for r in got["results"]]
    assert reasons[3].startswith("attributes.severity")
    assert reasons[4].startswith("occurred_at")
    assert "future" in reasons[4]
    assert "not registered for 'tax.arrears'" in reasons[5]
    assert reasons[6].startswith("source:")
    assert reasons[7].startswith("subject:")
    assert reasons[8].startswith("evidence:")
    assert (got["created"], got["present"], got["refused"]) == (1, 1, 7)
    assert api.ctx.store.count_records() == 2  # nothing refused was written


def test_source_defaults_to_the_key_and_may_be_given(api: Api) -> None:
    given = api.post_records(record(ref="TP-1", source="traffic-police-rc"))
    left_out = api.post_records(record(ref="TP-1"))
    assert statuses(given.json()) == ["created"]
    assert statuses(left_out.json()) == ["already present"]
    stored = api.ctx.store.records_of("p-1")
    assert [lr.record.source for lr in stored] == ["traffic-police-rc"]


def test_a_malformed_body_is_refused_whole(api: Api) -> None:
    body = [record(ref="TP-1"), record(ref="TP-2") | {"colour": "red"}]
    response = api.post_records(body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == [
        {"field": "body.records.1.colour", "message": "Extra inputs are not permitted"}
    ]
    assert api.ctx.store.count_records() == 0


def test_nested_unknown_fields_and_wrong_types_are_refused(api: Api) -> None:
    nested = record() | {"subject": {"id": "p-1", "kind": "person", "region": "CN", "x": 1}}
    assert api.post_records(nested).json()["errors"][0]["field"] == "body.record.subject.x"
    typed = record() | {"occurred_at": 20260301}
    assert api.post_records(typed).status_code == 422
    assert api.post_records([]).status_code == 422
    assert api.post_records("a record").status_code == 422


def test_a_list_longer_than_the_limit_is_refused(api: Api) -> None:
    body = [record(ref=f"TP-{i}") for i in range(1001)]
    response = api.post_records(body)
    assert response.status_code == 422
    assert "1000" in response.json()["detail"]


def test_a_new_record_changes_the_stored_score_tier_and_lists_at_once(api: Api) -> None:
    store = api.ctx.store
    default = record(
        "p-1",
        "court.judgment_default",
        "CT-1",
        occurred_at="2026-11-01",
        attributes={"amount": 50_000},
        case_ref="RC-1",
    )
    assert statuses(api.post_records(default).json()) == ["created"]
    stored = store.stored_score("p-1")
    assert stored is not None
    assert stored.as_of == TODAY
    assert [m.list_id for m in stored.lists] == ["judgment-defaulters"]
    assert stored.valid_until is not None
    assert stored.valid_until > TODAY
    score = api.call("GET", "/v1/subjects/p-1/score", "subject_a").json()
    assert (score["score"], score["tier"]) == (stored.score, stored.tier)
    check = {"subject": "p-1", "context": "rail.high-speed-ticket"}
    assert api.call("POST", "/v1/checks", "consumer_a", json=check).json()["decision"] == "deny"

    satisfied = record(
        "p-1",
        "court.judgment_satisfied",
        "CT-2",
        occurred_at="2026-11-20",
        attributes={},
        case_ref="RC-1",
    )
    assert statuses(api.post_records(satisfied).json()) == ["created"]
    after = store.stored_score("p-1")
    assert after is not None
    assert after.lists == ()
    assert api.call("POST", "/v1/checks", "consumer_a", json=check).json()["decision"] == "allow"


def test_an_organisation_appears_on_its_public_list_at_once(api: Api) -> None:
    default = record(
        "o-1",
        "court.judgment_default",
        "CT-9",
        kind="organisation",
        region="CN-SD",
        occurred_at="2026-10-01",
        attributes={"amount": 1_000_000},
        case_ref="C-9",
    )
    assert statuses(api.post_records(default).json()) == ["created"]
    listed = api.call("GET", "/v1/lists/judgment-defaulters").json()
    assert [(i["subject"], i["periods"][0]["since"]) for i in listed["items"]] == [
        ("o-1", date(2026, 10, 1).isoformat())
    ]
