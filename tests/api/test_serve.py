"""`credo serve` as an operator runs it: two worker processes on an SQLite ledger, pooled
metrics, JSON logs on standard error, a clean stop on SIGINT."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from credo.api.settings import ApiSettings
from credo.bootstrap import bootstrap
from credo.services.access.keys import Role, create_key
from credo.services.packs.adopt import adopt_pack_file
from credo.settings import Settings
from credo.shipped import shipped_packs
from tests.api.conftest import record


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "credo serve exited early"
        try:
            if httpx2.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.2)
    pytest.fail("credo serve was not ready within 60 s")


@pytest.mark.slow
def test_two_workers_serve_one_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'credo.db'}"
    ctx = bootstrap(Settings(database_url=url))
    now = datetime.now(UTC)
    for path in shipped_packs():
        adopt_pack_file(ctx.store, path, now=now, actor="cli:test")
    secret = ApiSettings().secret_for(url)  # the file beside the ledger, as the workers read it
    token = create_key(
        ctx.access, secret, role=Role.PROVIDER, principal="traffic-police-rc",
        types=["traffic.violation"], now=now, actor="cli:test",
    ).token  # fmt: skip
    ctx.store.close()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDO_")}
    command = [sys.executable, "-c", "from credo.cli import main; main()", "--db", url, "serve"]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "serve-test-1"}
        posted = httpx2.post(f"{base}/v1/records", json=record(), headers=headers, timeout=10)
        assert posted.json()["created"] == 1
        # Metrics from whichever worker answered are summed over both.
        metrics = httpx2.get(f"{base}/metrics", timeout=10).text
        assert 'credo_records_ingested_total{outcome="created"} 1.0' in metrics
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == "serve-test-1"]
    assert [(line["route"], line["status"]) for line in logged] == [("/v1/records", 200)]
    assert server.returncode == 0
