"""`credo keys login-link --id ID`: a one-time sign-in link for the newest live key of an id,
which the portal (reading the same secret beside the ledger) opens once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from credo.api.app import create_app
from credo.api.settings import ApiSettings
from credo.bootstrap import bootstrap
from credo.settings import Settings
from tests.integration.conftest import Credo, credo  # noqa: F401 (fixture)


def test_a_login_link_signs_in_once(credo: Credo, tmp_path: Path) -> None:  # noqa: F811
    assert credo("keys", "create", "--role", "subject", "--id", "p-1").code == 0
    made = credo("keys", "login-link", "--id", "p-1")
    assert made.code == 0, made.err
    link = made.out.strip()
    assert link.startswith("http://127.0.0.1:8000/login?code=")
    assert "valid 15 minutes" in made.err
    code = link.split("code=", 1)[1]

    ctx = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'credo.db'}"))
    app = create_app(ctx, ApiSettings())
    browser = TestClient(app)
    assert browser.get(f"/login?code={code}").status_code == 200
    assert browser.get("/me", follow_redirects=False).status_code == 200
    assert TestClient(app).get(f"/login?code={code}").status_code == 401
    ctx.store.close()


def test_no_link_without_a_live_key(credo: Credo) -> None:  # noqa: F811
    refused = credo("keys", "login-link", "--id", "nobody")
    assert refused.code == 1
    assert "holds no live key" in refused.err
    assert credo("keys", "login-link", "--id", "x", "--role", "king").code == 2
