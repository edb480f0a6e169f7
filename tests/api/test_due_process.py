"""The life of a record through the API: reported, noticed, objected to, suspended, decided,
withdrawn, repaired; every step visible at once in scores, list entries, checks, the change
feed and notices. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from credo.domain.ledger.records import record_id_for
from credo.services.intake.ingest import ingest_file
from credo.services.packs.rulebook import current_rulebook
from tests.api.conftest import TODAY, Api, MakeApi, record

RAIL = "rail.high-speed-ticket"
DEFAULT = {"amount": 50_000}


def judgment(ref: str = "CT-1", *, case: str = "C-1", occurred_at: str = "2026-11-01") -> Any:
    return record(
        "p-1",
        "court.judgment_default",
        ref,
        occurred_at=occurred_at,
        attributes=DEFAULT,
        case_ref=case,
    )


def submit(api: Api, body: object, who: str = "provider_a") -> str:
    got = api.post_records(body, who)
    assert got.status_code == 200, got.text
    result = got.json()["results"][0]
    assert result["status"] == "created", result
    return str(result["record_id"])


def score(api: Api) -> dict[str, Any]:
    got = api.call("GET", "/v1/subjects/p-1/score", "subject_a")
    assert got.status_code == 200, got.text
    return dict(got.json())


def rail(api: Api) -> str:
    got = api.call("POST", "/v1/checks", "consumer_a", json={"subject": "p-1", "context": RAIL})
    assert got.status_code == 200, got.text
    return str(got.json()["decision"])


def notices(api: Api, who: str = "subject_a") -> list[dict[str, Any]]:
    got = api.call("GET", "/v1/subjects/p-1/notices", who)
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


def changes(api: Api, after: int = 0) -> list[dict[str, Any]]:
    got = api.call("GET", f"/v1/changes?after={after}", "consumer_a")
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


def later(api: Api, days: int) -> None:
    moved = datetime(2026, 11, 22, 12, tzinfo=UTC) + timedelta(days=days)
    api.ctx.clock = lambda: moved


def test_the_whole_life_of_a_record(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    submit(api, record("p-1", ref="TP-1"))  # a minor traffic violation: -3
    assert rail(api) == "allow"  # the railway has now asked about p-1: it follows p-1
    before = score(api)

    rid = submit(api, judgment())
    listed = score(api)
    assert listed["score"] == before["score"] - 100
    assert [e["list"] for e in listed["lists"]] == ["judgment-defaulters"]
    assert rail(api) == "deny"
    feed = changes(api)
    assert [(c["subject"], c["context"], c["decision"]) for c in feed] == [("p-1", RAIL, "deny")]
    assert feed[0]["recheck_on"] is not None

    told = [n for n in notices(api) if n["record"]["source_ref"] == "CT-1"]
    assert len(told) == 1
    notice = told[0]
    assert notice["record_id"] == rid
    assert notice["points"] == -100
    assert notice["rule"] == "judgment-default"
    assert notice["basis"]
    assert notice["record"]["evidence"]["sha256"]
    assert [e["list"] for e in notice["lists"]] == ["judgment-defaulters"]
    assert {m["measure"] for m in notice["measures"]} >= {"no-high-speed-rail", "no-flights"}
    assert notice["objection"]["deadline"] == "2026-11-29"  # window_days 7 from 2026-11-22

    later(api, 3)
    filed = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "I paid"}
    )
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["state"] == "open"
    assert objection["review_by"] == "2026-12-10"  # review_days 15 from 2026-11-25
    # Suspended while disputed (while_disputed: suspend): the list entry rests on it, and goes.
    suspended = score(api)
    assert suspended["score"] == before["score"]
    assert suspended["lists"] == []
    assert rail(api) == "allow"
    assert [c["decision"] for c in changes(api, feed[-1]["seq"])] == ["allow"]

    queue = api.call("GET", "/v1/objections?state=open", "reviewer").json()
    assert [o["objection_id"] for o in queue["items"]] == [objection["objection_id"]]
    assert queue["items"][0]["days_left"] == 15
    assert queue["overdue"] == 0

    oid = objection["objection_id"]
    decided = api.call(
        "POST",
        f"/v1/objections/{oid}/decision",
        "reviewer",
        json={"outcome": "overturned", "note": "paid on 2026-10-30, receipt on file"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "overturned"
    restored = score(api)
    assert restored["score"] == before["score"]
    assert restored["lists"] == []
    assert rail(api) == "allow"
    # Overturned counts at no date, not even a past one.
    past = api.call("GET", "/v1/subjects/p-1/score?as_of=2026-11-23", "subject_a").json()
    assert past["lists"] == []

    answer = [n for n in notices(api) if n["about"] == "decision"]
    assert len(answer) == 1
    assert answer[0]["decision"]["outcome"] == "overturned"
    assert answer[0]["decision"]["objection_id"] == oid

    again = api.call(
        "POST",
        f"/v1/objections/{oid}/decision",
        "reviewer",
        json={"outcome": "upheld", "note": "second thoughts"},
    )
    assert again.status_code == 409
    assert "already decided" in again.json()["detail"]


def test_an_upheld_objection_restores_the_record(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    oid = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "not me"}
    ).json()["objection_id"]
    assert rail(api) == "allow"
    body = {"outcome": "upheld", "note": "the judgment stands"}
    assert api.call("POST", f"/v1/objections/{oid}/decision", "reviewer", json=body).is_success
    assert rail(api) == "deny"
    assert [e["list"] for e in score(api)["lists"]] == ["judgment-defaulters"]


def test_a_late_objection_names_the_day_the_window_closed(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    later(api, 8)
    late = api.call("POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "x"})
    assert late.status_code == 409
    detail = late.json()["detail"]
    assert "closed at the end of 2026-11-29" in detail
    assert "notice of 2026-11-22" in detail


def test_on_the_last_day_an_objection_is_in_time(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    later(api, 7)
    body = {"record_id": rid, "reason": "x"}
    assert api.call("POST", "/v1/objections", "subject_a", json=body).status_code == 201


def test_a_second_open_objection_is_refused(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    body = {"record_id": rid, "reason": "x"}
    assert api.call("POST", "/v1/objections", "subject_a", json=body).status_code == 201
    second = api.call("POST", "/v1/objections", "subject_a", json=body)
    assert second.status_code == 409
    assert "already has an open objection" in second.json()["detail"]


def test_someone_elses_record_is_not_found(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    body = {"record_id": rid, "reason": "x"}
    got = api.call("POST", "/v1/objections", "subject_b", json=body)
    assert got.status_code == 404
    assert api.call("GET", "/v1/subjects/p-1/notices", "subject_b").status_code == 404


def test_an_unknown_objection_is_not_found(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    body = {"outcome": "upheld", "note": "x"}
    oid = "r" + "0" * 24 + "-o1"
    assert (
        api.call("POST", f"/v1/objections/{oid}/decision", "reviewer", json=body).status_code == 404
    )


def test_overdue_objections_are_flagged_in_the_queue_and_the_metrics(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    api.call("POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "x"})
    later(api, 16)
    queue = api.call("GET", "/v1/objections?overdue=true", "reviewer").json()
    assert queue["overdue"] == 1
    assert queue["items"][0]["overdue"] is True
    assert queue["items"][0]["days_left"] == -1
    metrics = api.call("GET", "/metrics").text
    assert "credo_objections_overdue 1" in metrics
    assert "credo_objections_open 1" in metrics


def test_a_provider_withdraws_its_own_record_and_only_its_own(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    assert rail(api) == "deny"
    body = {"reason": "entered against the wrong person"}
    other = api.call("POST", f"/v1/records/{rid}/withdrawal", "provider_b", json=body)
    assert other.status_code == 404
    done = api.call("POST", f"/v1/records/{rid}/withdrawal", "provider_a", json=body)
    assert done.status_code == 201, done.text
    assert done.json()["by"] == "traffic-police-rc"
    assert rail(api) == "allow"
    assert score(api)["lists"] == []
    twice = api.call("POST", f"/v1/records/{rid}/withdrawal", "provider_a", json=body)
    assert twice.status_code == 409


def test_a_repair_ends_the_list_entry_on_its_date(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    submit(api, judgment(occurred_at="2026-10-01"))
    assert rail(api) == "deny"
    repair = record(
        "p-1",
        "court.judgment_satisfied",
        "CT-2",
        occurred_at="2026-11-10",
        attributes={},
        case_ref="C-1",
    )
    submit(api, repair)
    assert rail(api) == "allow"
    on_the_day_before = api.call(
        "GET", "/v1/subjects/p-1/score?as_of=2026-11-09", "subject_a"
    ).json()
    (entry,) = on_the_day_before["lists"]
    assert entry["until"] == "2026-11-10"
    assert [c["decision"] for c in changes(api)] == ["deny", "allow"]


def test_the_feed_shows_only_subjects_the_consumer_asked_about(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    submit(api, judgment())
    assert changes(api) == []  # the railway never asked about p-1
    rail(api)
    assert [c["decision"] for c in changes(api)] == ["deny"]
    submit(api, judgment("CT-9", case="C-9"))  # still denied: no change to report
    assert len(changes(api)) == 1
    other = api.call("GET", "/v1/changes", "consumer_b")  # bike rental, another context
    assert other.json()["items"] == []


def test_an_unknown_query_parameter_is_refused_not_ignored(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    submit(api, record("p-1", ref="TP-1"))
    got = api.call("GET", "/v1/subjects/p-1/score?asof=2026-01-01", "subject_a")
    assert got.status_code == 422
    assert "'asof'" in got.json()["detail"]
    assert "as_of" in got.json()["detail"]


def test_concurrent_submissions_about_one_subject_leave_the_newest_score(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    headers = api.headers("provider_a")
    bodies = [record("p-1", ref=f"TP-c{i}", attributes={"severity": 3}) for i in range(12)]
    bodies.append(judgment())

    async def post_all() -> list[int]:
        transport = httpx2.ASGITransport(app=api.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://credo") as client:
            answers = await asyncio.gather(
                *(client.post("/v1/records", json=b, headers=headers) for b in bodies)
            )
        return [a.status_code for a in answers]

    assert set(asyncio.run(post_all())) == {200}
    stored = api.ctx.store.stored_score("p-1")
    online = score(api)
    assert stored is not None
    assert (stored.score, stored.tier) == (online["score"], online["tier"])
    assert online["score"] == 1000 - 12 * 20 - 100
    assert [c["decision"] for c in changes(api)] == []  # the railway never asked
    assert rail(api) == "deny"
    assert [c["decision"] for c in changes(api)] == ["deny"]


def test_the_feed_reports_a_change_for_a_subject_loaded_in_bulk(
    make_api: MakeApi, backend: str, tmp_path: Path
) -> None:
    # Bulk intake notes no decisions; the first change after it is measured against what
    # the consumer was last told.
    api = make_api(backend)
    path = tmp_path / "bulk.jsonl"
    path.write_text(json.dumps(judgment() | {"source": "court-rc"}) + "\n")
    report = ingest_file(
        api.ctx.store, current_rulebook(api.ctx.store), path, today=TODAY, now=api.ctx.clock()
    )
    assert report.created == 1
    assert rail(api) == "deny"
    assert changes(api) == []
    rid = record_id_for("court-rc", "CT-1")
    body = {"record_id": rid, "reason": "paid"}
    assert api.call("POST", "/v1/objections", "subject_a", json=body).status_code == 201
    assert [c["decision"] for c in changes(api)] == ["allow"]


def _reason(api: Api) -> dict[str, Any]:
    got = api.call("POST", "/v1/checks", "consumer_a", json={"subject": "p-1", "context": RAIL})
    assert got.status_code == 200, got.text
    (reason,) = got.json()["reasons"]
    return dict(reason)


@pytest.mark.parametrize(("days", "status"), [(7, 201), (8, 409)])
def test_a_check_names_the_last_day_to_object_that_the_objection_then_keeps(
    make_api: MakeApi, backend: str, days: int, status: int
) -> None:
    # Occurred in March, recorded and noticed today: the window runs from the notice, not from
    # the day the list entry began (SPEC §4.10), and the check says so at once.
    api = make_api(backend)
    rid = submit(api, judgment(occurred_at="2026-03-01"))
    reason = _reason(api)
    assert reason["trigger"]["since"] == "2026-03-01"
    found = re.search(r"by the end of (\d{4}-\d{2}-\d{2})", reason["objection"])
    assert found is not None, reason["objection"]
    assert found.group(1) == "2026-11-29"  # window_days 7 from the notice of 2026-11-22
    assert rid in reason["objection"]
    assert "its notice of 2026-11-22" in reason["objection"]

    later(api, days)  # the last day, or the day after
    body = {"record_id": rid, "reason": "paid long ago"}
    filed = api.call("POST", "/v1/objections", "subject_a", json=body)
    assert filed.status_code == status, filed.text
    if status == 409:
        assert f"closed at the end of {found.group(1)}" in filed.json()["detail"]
        # Asked again after the window, the check says it closed, on the same day.
        assert f"closed at the end of {found.group(1)}" in _reason(api)["objection"]


def test_a_withdrawal_closes_an_open_objection_as_moot(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    filed = api.call("POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "x"})
    oid = filed.json()["objection_id"]
    later(api, 2)
    why = {"reason": "entered against the wrong person"}
    done = api.call("POST", f"/v1/records/{rid}/withdrawal", "provider_a", json=why)
    assert done.status_code == 201, done.text

    # One transaction: the withdrawal, the moot decision and the notice, in that order.
    tail = [e for e in api.ctx.store.entries_of(rid) if e.kind != "objection"][-3:]
    assert [e.kind for e in tail] == ["withdrawal", "decision", "notice"]
    seqs = [e.seq or 0 for e in tail]
    assert seqs == list(range(seqs[0], seqs[0] + 3))

    queue = api.call("GET", "/v1/objections?state=open", "reviewer").json()
    assert queue["items"] == []
    (moot,) = api.call("GET", "/v1/objections?state=moot", "reviewer").json()["items"]
    assert (moot["objection_id"], moot["state"]) == (oid, "moot")
    assert (moot["decided_by"], moot["note"]) == ("traffic-police-rc", why["reason"])
    assert moot["overdue"] is False
    own = api.call("GET", "/v1/subjects/p-1/objections", "subject_a").json()["items"]
    assert [o["state"] for o in own] == ["moot"]
    assert "credo_objections_open 0" in api.call("GET", "/metrics").text

    told = [n for n in notices(api) if n["about"] == "decision"]
    assert len(told) == 1
    decision = told[0]["decision"]
    assert (decision["objection_id"], decision["outcome"]) == (oid, "moot")
    assert decision["note"] == why["reason"]
    assert "withdrawn" in decision["effect"]
    assert "no longer counts" in decision["effect"]
    assert "counts again" not in decision["effect"]
    assert rail(api) == "allow"
    assert score(api)["lists"] == []

    # Nothing further is decided or objected on a withdrawn record.
    for outcome in ("upheld", "overturned"):
        ruled = api.call(
            "POST",
            f"/v1/objections/{oid}/decision",
            "reviewer",
            json={"outcome": outcome, "note": "late"},
        )
        assert ruled.status_code == 409, ruled.text
        detail = ruled.json()["detail"]
        assert f"{rid} was withdrawn on 2026-11-24 by traffic-police-rc" in detail
    again = api.call("POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "y"})
    assert again.status_code == 409
    assert "was withdrawn on 2026-11-24 by traffic-police-rc" in again.json()["detail"]
    assert rail(api) == "allow"
    assert [n["about"] for n in notices(api)].count("decision") == 1


def test_an_objection_to_a_withdrawn_record_is_refused(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    why = {"reason": "duplicate"}
    assert api.call("POST", f"/v1/records/{rid}/withdrawal", "provider_a", json=why).is_success
    assert [n["about"] for n in notices(api)] == ["record"]  # no objection was open: none moot
    filed = api.call("POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "x"})
    assert filed.status_code == 409
    assert "was withdrawn on 2026-11-22 by traffic-police-rc" in filed.json()["detail"]


def test_a_reviewer_cannot_choose_moot(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = submit(api, judgment())
    oid = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": rid, "reason": "x"}
    ).json()["objection_id"]
    body = {"outcome": "moot", "note": "x"}
    got = api.call("POST", f"/v1/objections/{oid}/decision", "reviewer", json=body)
    assert got.status_code == 422
    spec = api.call("GET", "/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["DecisionCreate"]["properties"]["outcome"]["enum"] == ["upheld", "overturned"]
    # ...but the queue, the answers and the subject's list say where an objection stands.
    queue = spec["paths"]["/v1/objections"]["get"]
    (state,) = [p for p in queue["parameters"] if p["name"] == "state"]
    assert "moot" in state["schema"]["anyOf"][0]["enum"]
    answer = spec["paths"]["/v1/objections"]["post"]["responses"]["201"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    assert "moot" in schemas[ref]["properties"]["state"]["enum"]


def test_a_decision_notice_does_not_reopen_the_window(make_api: MakeApi, backend: str) -> None:
    # A repair costs nothing and lists no one: it owes no notice, so its window runs from the
    # day it was recorded. The answer to an objection is a notice too, and opens nothing.
    api = make_api(backend)
    repair = record("p-1", "court.judgment_satisfied", "CT-2", attributes={}, case_ref="C-1")
    rid = submit(api, repair)
    assert notices(api) == []
    later(api, 5)
    body = {"record_id": rid, "reason": "not my case"}
    oid = api.call("POST", "/v1/objections", "subject_a", json=body).json()["objection_id"]
    later(api, 6)
    ruled = {"outcome": "upheld", "note": "it is"}
    assert api.call("POST", f"/v1/objections/{oid}/decision", "reviewer", json=ruled).is_success
    later(api, 8)
    late = api.call("POST", "/v1/objections", "subject_a", json=body)
    assert late.status_code == 409, late.text
    detail = late.json()["detail"]
    assert "closed at the end of 2026-11-29" in detail
    assert "after it was recorded on 2026-11-22" in detail
