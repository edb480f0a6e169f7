"""30 concurrent requests for one single-use step, through the API on SQLite and PostgreSQL:
one is accepted, every other gets 409 naming the step that stands, and the subject is told
once. The store refuses the losers (`test_single_use_store`); this is what a caller sees."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx2
import pytest

from tests.api.conftest import Api, MakeApi, record

pytestmark = pytest.mark.reliability

RACERS = 30


def judgment(api: Api) -> str:
    body = record(
        "p-1", "court.judgment_default", "CT-1", occurred_at="2026-11-01",
        attributes={"amount": 50_000}, case_ref="C-1",
    )  # fmt: skip
    got = api.post_records(body)
    assert got.status_code == 200, got.text
    return str(got.json()["results"][0]["record_id"])


def race(api: Api, who: str, path: str, bodies: list[dict[str, Any]]) -> list[httpx2.Response]:
    headers = api.headers(who)

    async def post_all() -> list[httpx2.Response]:
        transport = httpx2.ASGITransport(app=api.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://credo") as client:
            return list(
                await asyncio.gather(*(client.post(path, json=b, headers=headers) for b in bodies))
            )

    return asyncio.run(post_all())


def statuses(answers: list[httpx2.Response]) -> Counter[int]:
    return Counter(a.status_code for a in answers)


def decisions_told(api: Api) -> list[str]:
    got = api.call("GET", "/v1/subjects/p-1/notices", "subject_a")
    assert got.status_code == 200, got.text
    return [n["decision"]["outcome"] for n in got.json()["items"] if n["about"] == "decision"]


def file(api: Api, rid: str) -> str:
    body = {"record_id": rid, "reason": "I paid"}
    filed = api.call("POST", "/v1/objections", "subject_a", json=body)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["objection_id"])


def test_thirty_decisions_on_one_objection(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    oid = file(api, judgment(api))
    outcomes = ["upheld", "overturned"] * (RACERS // 2)
    bodies = [{"outcome": o, "note": f"ruling {i}"} for i, o in enumerate(outcomes)]
    answers = race(api, "reviewer", f"/v1/objections/{oid}/decision", bodies)
    assert statuses(answers) == {200: 1, 409: RACERS - 1}, [a.text for a in answers[:2]]
    won = next(a.json() for a in answers if a.status_code == 200)
    for lost in (a for a in answers if a.status_code == 409):
        assert f"already decided ({won['state']}" in lost.json()["detail"]
    assert decisions_told(api) == [won["state"]]
    shown = api.call("GET", "/v1/objections?state=" + won["state"], "reviewer").json()
    assert [o["objection_id"] for o in shown["items"]] == [oid]
    status = api.ctx.store.record(won["record_id"])
    assert status is not None
    assert status.status.overturned is (won["state"] == "overturned")


def test_thirty_objections_to_one_record(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = judgment(api)
    bodies = [{"record_id": rid, "reason": f"objection {i}"} for i in range(RACERS)]
    answers = race(api, "subject_a", "/v1/objections", bodies)
    assert statuses(answers) == {201: 1, 409: RACERS - 1}, [a.text for a in answers[:2]]
    won = next(a.json() for a in answers if a.status_code == 201)
    for lost in (a for a in answers if a.status_code == 409):
        assert f"already has an open objection ({won['objection_id']}" in lost.json()["detail"]
    entries = api.ctx.store.entries_of(rid)
    assert [e.data["reason"] for e in entries if e.kind == "objection"] == [won["reason"]]


def test_thirty_withdrawals_of_one_record(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    rid = judgment(api)
    file(api, rid)
    bodies = [{"reason": f"withdrawal {i}"} for i in range(RACERS)]
    answers = race(api, "provider_a", f"/v1/records/{rid}/withdrawal", bodies)
    assert statuses(answers) == {201: 1, 409: RACERS - 1}, [a.text for a in answers[:2]]
    for lost in (a for a in answers if a.status_code == 409):
        assert f"record {rid} was already withdrawn" in lost.json()["detail"]
    kinds = Counter(e.kind for e in api.ctx.store.entries_of(rid))
    assert (kinds["withdrawal"], kinds["decision"]) == (1, 1)  # the open objection, as moot
    assert decisions_told(api) == ["moot"]


def test_decisions_racing_a_withdrawal_close_the_objection_once(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    rid = judgment(api)
    oid = file(api, rid)
    decide = {"outcome": "overturned", "note": "paid"}

    async def both() -> list[httpx2.Response]:
        transport = httpx2.ASGITransport(app=api.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://credo") as client:
            calls = [
                client.post(
                    f"/v1/objections/{oid}/decision", json=decide, headers=api.headers("reviewer")
                )
                for _ in range(RACERS - 1)
            ]
            calls.insert(
                RACERS // 2,
                client.post(
                    f"/v1/records/{rid}/withdrawal",
                    json={"reason": "wrong subject"},
                    headers=api.headers("provider_a"),
                ),
            )
            return list(await asyncio.gather(*calls))

    answers = asyncio.run(both())
    assert answers[RACERS // 2].status_code == 201  # a withdrawal is always possible
    decisions = [e for e in api.ctx.store.entries_of(rid) if e.kind == "decision"]
    assert len(decisions) == 1
    assert len(decisions_told(api)) == 1
