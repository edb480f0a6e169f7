"""SIGKILL of `credo serve` in the middle of a bounded load on the loopback interface: every
record the server acknowledged is stored once with the notice its subject is owed, and sending
everything again after a restart leaves every record with exactly one notice (SQLite and
PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import psycopg
import pytest

from credo.adapters.stores.protocol import LedgerStore
from credo.bootstrap import bootstrap
from credo.services.access.keys import Role, create_key
from credo.services.packs.adopt import adopt_pack_file
from credo.settings import Settings
from credo.shipped import shipped_packs
from tests.api.conftest import record
from tests.api.test_serve import free_port, wait_ready
from tests.contract.conftest import libpq_url

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SECRET = "a kill-test secret"
# Small enough that the campaign stays within its two minutes in CI (the two server starts
# cost as much as the load): at most CLIENTS requests are in flight when the kill lands, so it
# always comes in the middle of the load.
RECORDS = 60  # the bound of the load: each sent once before the kill
KILL_AFTER = 20  # acknowledged records
CLIENTS = 6


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'credo.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    schema: str = request.getfixturevalue("postgres_schema")
    with psycopg.connect(libpq_url(base), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{base}?options=-csearch_path%3D{schema}"


def prepared(url: str) -> str:
    """A migrated ledger with the shipped packs; a provider's key."""
    ctx = bootstrap(Settings(database_url=url))
    ctx.store.migrate()
    now = datetime.now(UTC)
    for path in shipped_packs():
        adopt_pack_file(ctx.store, path, now=now, actor="cli:test")
    token = create_key(
        ctx.access, SECRET.encode(), role=Role.PROVIDER, principal="traffic-police-rc",
        types=["traffic.violation"], now=now, actor="cli:test",
    ).token  # fmt: skip
    ctx.store.close()
    return token


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDO_")}
    env["CREDO_KEY_SECRET"] = SECRET
    command = [sys.executable, "-c", "from credo.cli import main; main()", "--db", url, "serve"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, server)
    return server, base


def penalties() -> list[dict[str, Any]]:
    """Records that cost points, so each owes its subject a notice; three per subject."""
    return [
        record(f"p-k{i // 3}", ref=f"TP-k{i}", attributes={"severity": 3}) for i in range(RECORDS)
    ]


def load(base: str, token: str, bodies: list[dict[str, Any]], kill: threading.Event) -> set[str]:
    """Send each body once from `CLIENTS` threads; the ids the server acknowledged. `kill` is
    set once `KILL_AFTER` are acknowledged; a client stops at its first failed request."""
    acked: set[str] = set()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def client(mine: list[dict[str, Any]]) -> None:
        with httpx2.Client(base_url=base, headers=headers, timeout=30) as http:
            for body in mine:
                try:
                    got = http.post("/v1/records", json=body)
                except httpx2.TransportError:
                    return
                if got.status_code != 200:
                    return
                result = got.json()["results"][0]
                assert result["status"] in ("created", "already present"), result
                with lock:
                    acked.add(result["record_id"])
                    if len(acked) >= KILL_AFTER:
                        kill.set()

    threads = [threading.Thread(target=client, args=(bodies[i::CLIENTS],)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acked


def noticed(store: LedgerStore, record_id: str) -> int:
    return sum(
        1
        for e in store.entries_of(record_id)
        if e.kind == "notice" and e.data.get("about") == "record"
    )


def test_every_acknowledged_record_keeps_its_notice(ledger_url: str) -> None:
    token = prepared(ledger_url)
    bodies = penalties()
    server, base = serve(ledger_url)
    kill = threading.Event()
    killer = threading.Thread(target=lambda: kill.wait(120) and server.send_signal(signal.SIGKILL))
    killer.start()
    try:
        acked = load(base, token, bodies, kill)
    finally:
        kill.set()
        killer.join()
        server.kill()
        server.wait(timeout=30)
    assert KILL_AFTER <= len(acked) < RECORDS  # the kill came in the middle of the load

    store = bootstrap(Settings(database_url=ledger_url)).store
    try:
        stored = {lr.record.record_id for batch in store.iter_records() for lr in batch}
        assert acked <= stored
        assert [rid for rid in sorted(acked) if noticed(store, rid) != 1] == []
        assert all(noticed(store, rid) == 1 for rid in stored)  # nothing half-written either
    finally:
        store.close()

    # The provider sends everything again: what was lost is created now, with its notice; what
    # was kept is "already present", and owes no second notice.
    server, base = serve(ledger_url)
    try:
        again = load(base, token, bodies, threading.Event())
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert len(again) == RECORDS
    store = bootstrap(Settings(database_url=ledger_url)).store
    try:
        assert store.count_records() == RECORDS
        assert [rid for rid in sorted(again) if noticed(store, rid) != 1] == []
    finally:
        store.close()
