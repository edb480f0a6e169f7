"""`credo audit verify` on an SQLite file changed by hand, and `credo audit witness` against a
running server whose database is rewritten under it."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.api.app import create_app
from credo.bootstrap import bootstrap
from credo.settings import Settings
from tests.api.conftest import settings as api_settings
from tests.api.test_serve import free_port
from tests.integration.conftest import Credo
from tests.integration.test_cli import RONGCHENG, record, write_jsonl


def _ledger(credo: Credo, tmp_path: Path, refs: range) -> None:
    assert credo("pack", "adopt", RONGCHENG).code == 0
    lines = [
        record(f"TP-{i}", subject={"id": f"p-{i % 3}", "kind": "person", "region": "CN-SD-RC"})
        for i in refs
    ]
    assert credo("ingest", str(write_jsonl(tmp_path / "batch.jsonl", lines))).code == 0


def test_verify_passes_then_names_the_record_changed_by_hand(credo: Credo, tmp_path: Path) -> None:
    _ledger(credo, tmp_path, range(5))
    ok = credo("audit", "verify")
    assert ok.code == 0, ok.err
    assert ok.out.startswith("ok: ")
    assert "entries, root " in ok.out
    assert (tmp_path / "credo.signing-keys.json").exists()

    with sqlite3.connect(tmp_path / "credo.db") as db:
        (rid,) = db.execute("SELECT record_id FROM records WHERE source_ref = 'TP-3'").fetchone()
        db.execute("UPDATE records SET attributes = '{\"severity\":3}' WHERE record_id = ?", (rid,))
    caught = credo("audit", "verify")
    assert caught.code == 1
    assert "changed: entry" in caught.err
    assert f"(record {rid})" in caught.err


def test_verify_checks_heads_against_a_published_key_set(credo: Credo, tmp_path: Path) -> None:
    _ledger(credo, tmp_path, range(2))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": []}))
    refused = credo("audit", "verify", "--keys", str(jwks))
    assert refused.code == 1
    assert "not among the published keys" in refused.err


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    ctx = bootstrap(Settings(database_url=url))
    port = free_port()
    config = uvicorn.Config(create_app(ctx, api_settings()), port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}", url
    running.should_exit = True
    thread.join(10)
    ctx.store.close()


def test_witness_follows_growth_and_raises_the_alarm_on_a_rewrite(
    credo: Credo, tmp_path: Path, server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, url = server
    monkeypatch.setenv("CREDO_DATABASE_URL", url)
    state = tmp_path / "witness.json"
    _ledger(credo, tmp_path, range(4))
    first = credo("audit", "witness", "--url", base, "--state", str(state))
    assert first.code == 0, first.err
    assert "first head seen" in first.out

    lines = [record("TP-9")]
    assert credo("ingest", str(write_jsonl(tmp_path / "more.jsonl", lines))).code == 0
    grown = credo("audit", "witness", "--url", base, "--state", str(state))
    assert grown.code == 0, grown.err
    assert "consistent with the head of size" in grown.out

    # An insider with the signing key rewrites a record and rebuilds and re-signs the whole
    # log: every head verifies, and `audit verify` inside finds nothing wrong.
    path = tmp_path / "served.db"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE records SET attributes = '{\"severity\":1}' WHERE source_ref = 'TP-2'")
        db.execute("DELETE FROM tree_heads")
        db.execute("DELETE FROM audit_leaves")
    keys = bootstrap(Settings(database_url=url), migrate=False).signing()
    SqliteLedgerStore(url, signer=keys).migrate()  # logs the rewritten ledger afresh
    assert credo("audit", "verify").code == 0
    alarm = credo("audit", "witness", "--url", base, "--state", str(state))
    assert alarm.code == 1
    assert "ALARM: fork" in alarm.err


def test_witness_raises_the_alarm_when_the_log_shrinks(
    credo: Credo, tmp_path: Path, server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, url = server
    monkeypatch.setenv("CREDO_DATABASE_URL", url)
    state = tmp_path / "witness.json"
    _ledger(credo, tmp_path, range(4))
    assert credo("audit", "witness", "--url", base, "--state", str(state)).code == 0
    with sqlite3.connect(tmp_path / "served.db") as db:
        db.execute("DELETE FROM tree_heads WHERE tree_size > 1")
    alarm = credo("audit", "witness", "--url", base, "--state", str(state))
    assert alarm.code == 1
    assert "ALARM: the log shrank" in alarm.err


def test_attest_verify_and_rotate_from_the_command_line(credo: Credo, tmp_path: Path) -> None:
    _ledger(credo, tmp_path, range(3))
    issued = credo("attest", "p-1", "--context", "rail.high-speed-ticket", "--qr", "p-1.svg")
    assert issued.code == 0, issued.err
    token = issued.out.strip()
    assert token.count(".") == 2
    assert '"decision": "allow"' in issued.err
    assert (tmp_path / "p-1.svg").read_text().startswith("<?xml")
    checked = credo("verify", token)
    assert checked.code == 0, checked.err
    assert json.loads(checked.out)["sub"] == "p-1"
    (tmp_path / "token.txt").write_text(token + "\n")
    assert credo("verify", "token.txt").code == 0

    rotated = credo("keys", "rotate-signing")
    assert rotated.code == 0, rotated.err
    assert "2 public keys published" in rotated.out
    assert credo("verify", token).code == 0  # the old key is still published
    assert credo("audit", "verify").code == 0  # and the heads it signed still verify

    broken = credo("verify", token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    assert broken.code == 1
    assert "does not verify" in broken.err
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": []}))
    unknown = credo("verify", token, "--keys", str(jwks))
    assert unknown.code == 1
    assert "unknown key" in unknown.err
