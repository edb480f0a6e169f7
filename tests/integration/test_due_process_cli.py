"""Due process from the command line, as an operator runs it: notices from bulk intake, an
objection filed at the counter, the review queue, a decision, a withdrawal, notices delivered.
On SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest

from credo import bootstrap as bootstrapping
from credo.domain.ledger.records import record_id_for
from credo.shipped import shipped_packs
from tests.contract.conftest import libpq_url, postgres_schema, postgres_url  # noqa: F401
from tests.integration.conftest import Credo
from tests.integration.test_cli import EVIDENCE, record, write_jsonl

RAIL = "rail.high-speed-ticket"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        schema = request.getfixturevalue("postgres_schema")
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        monkeypatch.setenv("CREDO_DATABASE_URL", f"{url}?options=-csearch_path%3D{schema}")
    return str(request.param)


Clock = Callable[[int], None]
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every command from here on runs `days` after NOW, as if the operator came back then."""
    now = [NOW]

    def at_day(days: int) -> None:
        now[0] = NOW + timedelta(days=days)

    def bootstrap_then(*args: Any, **kw: Any) -> bootstrapping.Context:
        ctx = bootstrapping.bootstrap(*args, **kw)
        ctx.clock = lambda: now[0]
        return ctx

    # Every command opens its context through `credo.cli.shared`.
    monkeypatch.setattr(importlib.import_module("credo.cli.shared"), "bootstrap", bootstrap_then)
    return at_day


def judgment(ref: str, subject: str = "p-1", **overrides: Any) -> dict[str, Any]:
    return (
        record(
            ref,
            subject={"id": subject, "kind": "person", "region": "CN-SD-RC"},
            type="court.judgment_default",
            attributes={"amount": 50_000},
            case_ref=f"C-{ref}",
            source="court-rc",
            evidence=EVIDENCE,
        )
        | overrides
    )


def decision(credo: Credo) -> str:
    got = credo("check", "p-1", RAIL, "--json")
    assert got.code == 0, got.err
    return str(json.loads(got.out)["decision"])


def test_an_operator_runs_the_whole_procedure(credo: Credo, backend: str, tmp_path: Path) -> None:
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    judgment = record(
        "CT-1",
        type="court.judgment_default",
        occurred_at="2026-11-01",
        attributes={"amount": 50_000},
        case_ref="C-1",
        source="court-rc",
        evidence=EVIDENCE,
    )
    ingested = credo("ingest", str(write_jsonl(tmp_path / "in.jsonl", [record("TP-1"), judgment])))
    assert ingested.code == 0, ingested.out
    assert "2 notices issued" in ingested.out  # the traffic violation costs points too
    assert decision(credo) == "deny"

    rid = record_id_for("court-rc", "CT-1")
    filed = credo("object", rid, "--reason", "paid on 2026-10-30", "--as", "counter-7")
    assert filed.code == 0, filed.err
    oid = f"{rid}-o1"
    assert oid in filed.out
    assert decision(credo) == "allow"  # suspended while disputed
    twice = credo("object", rid, "--reason", "again")
    assert twice.code == 1
    assert "already has an open objection" in twice.err

    queue = json.loads(credo("objections", "--json").out)
    assert [(o["objection_id"], o["state"], o["days_left"]) for o in queue] == [(oid, "open", 15)]
    assert json.loads(credo("objections", "--overdue", "--json").out) == []

    upheld = credo("decide", oid, "upheld", "--note", "no receipt", "--as", "reviewer-2")
    assert upheld.code == 0, upheld.err
    assert decision(credo) == "deny"
    final = credo("decide", oid, "overturned", "--note", "changed my mind")
    assert final.code == 1
    assert "already decided" in final.err
    assert json.loads(credo("objections", "--json").out) == []
    decided = json.loads(credo("objections", "--all", "--json").out)
    assert decided[0]["state"] == "upheld"
    assert decided[0]["decided_by"] == "reviewer-2"

    withdrawn = credo("withdraw", "court-rc", "CT-1", "--reason", "wrong person")
    assert withdrawn.code == 0, withdrawn.err
    assert decision(credo) == "allow"
    assert credo("withdraw", "court-rc", "CT-1", "--reason", "again").code == 1
    assert credo("withdraw", "court-rc", "CT-404", "--reason", "x").code == 1

    log = tmp_path / "notices.jsonl"
    sent = credo("notices", "deliver", "--log", str(log))
    assert sent.code == 0, sent.err
    notices = [json.loads(line) for line in log.read_text().splitlines()]
    assert [n["about"] for n in notices] == ["record", "record", "decision"]
    listed = next(n for n in notices if n["record"]["source_ref"] == "CT-1")
    assert listed["points"] == -100
    assert listed["record_id"] == rid
    assert listed["lists"][0]["list"] == "judgment-defaulters"
    assert listed["objection"]["deadline"]
    assert notices[-1]["decision"]["outcome"] == "upheld"
    again = credo("notices", "deliver", "--log", str(log))
    assert "0 notice(s) delivered" in again.out
    assert len(log.read_text().splitlines()) == 3


def test_a_webhook_that_fails_keeps_the_notices_for_the_next_run(
    credo: Credo, tmp_path: Path
) -> None:
    credo("pack", "adopt", *map(str, shipped_packs()))
    credo("ingest", str(write_jsonl(tmp_path / "in.jsonl", [record("TP-1")])))
    failed = credo("notices", "deliver", "--webhook", "http://127.0.0.1:9/unreachable")
    assert failed.code == 1
    assert "delivery stopped" in failed.err
    log = tmp_path / "n.jsonl"
    assert "1 notice(s) delivered" in credo("notices", "deliver", "--log", str(log)).out


def test_deliver_needs_exactly_one_channel(credo: Credo) -> None:
    assert credo("notices", "deliver").code == 2


def test_a_webhook_receives_each_notice_once_in_order(credo: Credo, tmp_path: Path) -> None:
    received: list[dict[str, object]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            """Quiet: the test reads what arrived."""

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/notices"
        credo("pack", "adopt", *map(str, shipped_packs()))
        credo("ingest", str(write_jsonl(tmp_path / "a.jsonl", [record("TP-1"), record("TP-2")])))
        assert "2 notice(s) delivered" in credo("notices", "deliver", "--webhook", url).out
        credo("ingest", str(write_jsonl(tmp_path / "b.jsonl", [record("TP-3")])))
        assert "1 notice(s) delivered" in credo("notices", "deliver", "--webhook", url).out
    finally:
        server.shutdown()
        server.server_close()
    numbers = [n["notice"] for n in received]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    assert [n["record"]["source_ref"] for n in received] == ["TP-1", "TP-2", "TP-3"]


def test_a_check_names_the_last_day_that_the_objection_then_keeps(
    credo: Credo, backend: str, clock: Clock, tmp_path: Path
) -> None:
    # Two judgments of March, ingested (and noticed) on 2026-11-22: their windows run from the
    # notice, to the end of 2026-11-29, and the check says so.
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    ledger = [judgment("CT-1"), judgment("CT-2", subject="p-2")]
    assert credo("ingest", str(write_jsonl(tmp_path / "in.jsonl", ledger))).code == 0
    got = credo("check", "p-1", RAIL, "--json")
    assert got.code == 0, got.err
    (reason,) = json.loads(got.out)["reasons"]
    assert reason["trigger"]["since"] == "2026-03-01"
    found = re.search(r"by the end of (\d{4}-\d{2}-\d{2})", reason["objection"])
    assert found is not None, reason["objection"]
    last_day = found.group(1)
    assert last_day == "2026-11-29"
    shown = credo("check", "p-1", RAIL)
    assert f"by the end of {last_day}" in shown.out  # the table says it too

    clock(7)
    on_time = credo("object", record_id_for("court-rc", "CT-1"), "--reason", "paid")
    assert on_time.code == 0, on_time.err
    clock(8)
    late = credo("object", record_id_for("court-rc", "CT-2"), "--reason", "paid")
    assert late.code == 1
    assert f"closed at the end of {last_day}" in late.err
    closed = json.loads(credo("check", "p-2", RAIL, "--json").out)["reasons"][0]
    assert f"closed at the end of {last_day}" in closed["objection"]


def test_a_withdrawal_closes_the_open_objection_as_moot(
    credo: Credo, backend: str, clock: Clock, tmp_path: Path
) -> None:
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    ledger = [judgment("CT-1", occurred_at="2026-11-01")]
    assert credo("ingest", str(write_jsonl(tmp_path / "in.jsonl", ledger))).code == 0
    rid = record_id_for("court-rc", "CT-1")
    oid = f"{rid}-o1"
    assert credo("object", rid, "--reason", "not me").code == 0
    clock(1)
    withdrawn = credo("withdraw", "court-rc", "CT-1", "--reason", "wrong person", "--as", "ops-1")
    assert withdrawn.code == 0, withdrawn.err
    assert json.loads(credo("objections", "--json").out) == []
    (moot,) = json.loads(credo("objections", "--all", "--json").out)
    assert (moot["objection_id"], moot["state"]) == (oid, "moot")
    assert (moot["decided_by"], moot["note"]) == ("ops-1", "wrong person")
    table = credo("objections", "--all").out
    assert "moot" in table

    ruled = credo("decide", oid, "upheld", "--note", "it stands")
    assert ruled.code == 1
    assert f"record {rid} was withdrawn on 2026-11-23 by ops-1" in ruled.err
    again = credo("object", rid, "--reason", "still not me")
    assert again.code == 1
    assert "was withdrawn on 2026-11-23 by ops-1" in again.err
    assert decision(credo) == "allow"

    log = tmp_path / "notices.jsonl"
    assert credo("notices", "deliver", "--log", str(log)).code == 0
    told = [json.loads(line) for line in log.read_text().splitlines()]
    assert [n["about"] for n in told] == ["record", "decision"]
    assert told[-1]["decision"]["outcome"] == "moot"
    assert "withdrawn" in told[-1]["decision"]["effect"]
