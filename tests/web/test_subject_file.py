"""A subject's whole file: what `/me` shows, and the downloads that hold all of it."""

from __future__ import annotations

import csv
import io
import json

from credo.domain.ledger.records import record_id_for
from tests.web.conftest import SHA, Portal, judgment, record

JUDGMENT = record_id_for("traffic-police-rc", "J-1")


def _seed(portal: Portal) -> None:
    api = portal.api
    made = api.post_records([judgment("p-1"), record("p-1", ref="TP-1", occurred_at="2025-06-01")])
    assert made.json()["created"] == 2
    api.call(
        "POST",
        "/v1/checks",
        "consumer_a",
        json={"subject": "p-1", "context": "rail.high-speed-ticket"},
    )


def test_me_shows_every_record_its_evidence_lists_notices_and_checks(portal: Portal) -> None:
    _seed(portal)
    html = portal.get("subject_a", "/me").text
    assert html.count('data-testid="record"') == 2
    assert SHA in html
    assert "https://records.example/J-1.pdf" in html
    assert "judgment-defaulters" in html
    assert 'data-testid="list-entry"' in html
    assert "railway" in html
    assert "rail.high-speed-ticket" in html
    assert "<svg" in html
    assert 'class="line"' in html
    assert 'href="/v1/subjects/p-1/explanation"' in html


def test_the_downloads_hold_the_whole_file(portal: Portal) -> None:
    _seed(portal)
    body = json.loads(portal.get("subject_a", "/me/file.json").content)
    assert {r["record_id"] for r in body["records"]} == {
        JUDGMENT,
        record_id_for("traffic-police-rc", "TP-1"),
    }
    assert all(r["evidence"]["sha256"] == SHA for r in body["records"])
    assert body["explanation"]["score"] == 900
    assert body["checks"][0]["consumer"] == "railway"
    assert body["notices"]
    assert body["history"]
    answer = portal.get("subject_a", "/me/file.csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="p-1.csv"'
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["record_id"] for r in rows} == {r["record_id"] for r in body["records"]}
    judged = next(r for r in rows if r["record_id"] == JUDGMENT)
    assert judged["points"] == "-100"
    assert judged["evidence_sha256"] == SHA
    assert judged["basis"].startswith("Civil Procedure Law")
    old = next(r for r in rows if r["record_id"] == record_id_for("traffic-police-rc", "TP-1"))
    assert old["status"] == "expired"
    assert old["expires_on"] == "2026-06-01"  # when it stopped counting, by its rule


def test_an_overturned_record_is_gone_from_the_whole_chart(portal: Portal) -> None:
    _seed(portal)
    api = portal.api
    filed = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": JUDGMENT, "reason": "paid"}
    ).json()
    api.call(
        "POST",
        f"/v1/objections/{filed['objection_id']}/decision",
        "reviewer",
        json={"outcome": "overturned", "note": "paid"},
    )
    history = json.loads(portal.get("subject_a", "/me/file.json").content)["history"]
    assert min(h["score"] for h in history if h["score"] is not None) >= 995
