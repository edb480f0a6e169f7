"""`credo keys …`: a token printed once, only its keyed hash stored, keys listed and revoked."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from fastapi.testclient import TestClient

from credo.api.app import create_app
from credo.api.settings import ApiSettings
from credo.bootstrap import bootstrap
from credo.settings import Settings
from tests.integration.conftest import Credo, credo  # noqa: F401 (fixture)


def test_a_key_is_shown_once_and_only_its_hash_is_kept(credo: Credo, tmp_path: Path) -> None:  # noqa: F811
    made = credo("keys", "create", "--role", "provider", "--id", "tax-bureau", "--types",
                 "tax.violation,tax.arrears")  # fmt: skip
    assert made.code == 0, made.err
    token = made.out.strip()
    assert token.startswith("credo_")
    assert "\n" not in token
    assert "tax.arrears, tax.violation" in made.err
    assert "shown this once" in made.err
    db = (tmp_path / "credo.db").read_bytes()
    wal = tmp_path / "credo.db-wal"
    stored = db + (wal.read_bytes() if wal.exists() else b"")
    assert token.encode() not in stored
    assert token[6:].encode() not in stored
    secret = tmp_path / "credo.key-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600

    # The server, finding the same secret beside the ledger, knows the key.
    ctx = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'credo.db'}"))
    client = TestClient(create_app(ctx, ApiSettings()))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/subjects/p-1/score", headers=headers).status_code == 403
    ctx.store.close()


def test_keys_are_listed_and_revoked(credo: Credo) -> None:  # noqa: F811
    assert credo("keys", "create", "--role", "subject", "--id", "p-1").code == 0
    assert credo("keys", "create", "--role", "consumer", "--id", "rail", "--contexts",
                 "rail.high-speed-ticket").code == 0  # fmt: skip
    listed = json.loads(credo("keys", "list", "--json").out)
    assert [(k["role"], k["id"], k["scopes"]) for k in listed] == [
        ("subject", "p-1", []),
        ("consumer", "rail", ["rail.high-speed-ticket"]),
    ]
    assert "token" not in listed[0]
    assert "digest" not in listed[0]
    revoked = credo("keys", "revoke", listed[0]["key_id"])
    assert revoked.code == 0
    assert "revoked" in revoked.out
    again = json.loads(credo("keys", "list", "--json").out)
    assert again[0]["revoked_at"] is not None
    assert again[1]["revoked_at"] is None
    table = credo("keys", "list")
    assert listed[1]["key_id"] in table.out


def test_refusals(credo: Credo) -> None:  # noqa: F811
    no_types = credo("keys", "create", "--role", "provider", "--id", "x")
    assert no_types.code == 1
    assert "--types" in no_types.err
    wrong = credo("keys", "create", "--role", "subject", "--id", "p-1", "--contexts", "bike.rental")
    assert wrong.code == 1
    assert "only consumer keys have contexts" in wrong.err
    assert credo("keys", "create", "--role", "king", "--id", "x").code == 2
    unknown = credo("keys", "revoke", "k-000000000000")
    assert unknown.code == 1
    assert "no key" in unknown.err


def test_serve_and_keys_are_documented(credo: Credo) -> None:  # noqa: F811
    top = credo("--help").out
    assert "serve" in top
    assert "keys" in top
    assert "--workers" in credo("serve", "--help").out
