"""The portal's `/me` for a subject with 100 records, beside the API's explanation of the
same subject in the same run (goal: `/me` median ≤ 50 ms).

Both are timed through the whole application in this process (routing, session or key,
services, SQLite, rendering), without a network between: what the server spends on them."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from benchmarks.report import Report
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.api.app import create_app
from credo.api.settings import ApiSettings
from credo.bootstrap import Context
from credo.services.access.keys import Role, create_key
from credo.services.packs.adopt import adopt_pack_file
from credo.settings import Settings
from credo.shipped import shipped_packs

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SUBJECT = "p-bench"
SOURCE = "traffic-police-rc"
GOAL_MS = 50.0
ROUNDS = 40


def _records(n: int) -> list[dict[str, Any]]:
    """`n` traffic violations over three years, and a judgment default that lists the subject."""
    start = date(2023, 12, 1)
    out: list[dict[str, Any]] = [
        {
            "subject": {"id": SUBJECT, "kind": "person", "region": "CN-SD-RC"},
            "type": "traffic.violation",
            "occurred_at": (start + timedelta(days=i * 1095 // n)).isoformat(),
            "source_ref": f"TP-{i:04}",
            "attributes": {"severity": 1 + i % 5},
            "evidence": {"uri": f"https://records.example/TP-{i:04}.pdf", "sha256": "ab" * 32},
        }
        for i in range(n - 1)
    ]
    out.append(
        {
            "subject": {"id": SUBJECT, "kind": "person", "region": "CN-SD-RC"},
            "type": "court.judgment_default",
            "occurred_at": "2026-11-01",
            "source_ref": "J-1",
            "attributes": {"amount": 50_000},
            "evidence": {"uri": "https://records.example/J-1.pdf", "sha256": "ab" * 32},
            "case_ref": "case-1",
        }
    )
    return out


def _median_ms(client: TestClient, path: str, headers: dict[str, str]) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return statistics.median(times)


def run(report: Report, records: int = 100) -> None:
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{Path(d) / 'portal.db'}"
        store = SqliteLedgerStore(url)
        store.migrate()
        for path in shipped_packs():
            adopt_pack_file(store, path, now=NOW, actor="cli:bench")
        ctx = Context(settings=Settings(database_url=url), store=store, clock=lambda: NOW)
        settings = ApiSettings(key_secret="bench", api_rate=1e6, api_anonymous_rate=1e6)
        app = create_app(ctx, settings)
        secret = b"bench"
        types = ["traffic.violation", "court.judgment_default"]
        provider = create_key(
            ctx.access,
            secret,
            role=Role.PROVIDER,
            principal=SOURCE,
            types=types,
            now=NOW,
            actor="cli:bench",
        ).token
        subject = create_key(
            ctx.access, secret, role=Role.SUBJECT, principal=SUBJECT, now=NOW, actor="cli:bench"
        )
        with TestClient(app) as client:
            sent = client.post(
                "/v1/records",
                json=_records(records),
                headers={"Authorization": f"Bearer {provider}"},
            )
            assert sent.json()["created"] == records, sent.text
            form = client.get("/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf is not None
            signed = client.post(
                "/login", data={"key": subject.token, "csrf": csrf.group(1)}, follow_redirects=False
            )
            assert signed.status_code == 303
            bearer = {"Authorization": f"Bearer {subject.token}"}
            explanation = f"/v1/subjects/{SUBJECT}/explanation"
            for _ in range(3):  # warm: templates compiled, rulebook cached
                client.get("/me")
                client.get(explanation, headers=bearer)
            me = _median_ms(client, "/me", {})
            api = _median_ms(client, explanation, bearer)
        store.close()
    report.figure(f"portal /me, {records} records: median", me, "ms")
    report.figure("API /v1/subjects/{id}/explanation, same subject: median", api, "ms")
    report.figure("/me over the explanation", me / api, "x")
    report.ratio(f"/me against its goal of {GOAL_MS:.0f} ms", GOAL_MS / me, goal=1.0)


if __name__ == "__main__":
    run(Report())
