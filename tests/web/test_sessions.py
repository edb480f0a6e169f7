"""Signing in and out (SPEC §8): a key or a one-time code becomes a session cookie that is
HttpOnly and SameSite=Strict; the key is never kept by the browser; sessions end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credo.services.access.keys import Role, revoke_key
from credo.services.portal.sessions import NoKeyToSignIn, login_code
from tests.api.conftest import NOW, SECRET, MakeApi
from tests.web.conftest import Portal, csrf_of, sign_in


def _cookie_header(answer: object, name: str) -> str:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, headers
    return found[0]


def test_a_key_opens_a_session_in_a_strict_httponly_cookie(portal: Portal) -> None:
    client = TestClient(portal.api.app)
    key = portal.api.tokens["subject_a"]
    answer = sign_in(client, key)
    assert answer.headers["location"] == "/me"
    cookie = _cookie_header(answer, "credo_session")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # not configured for TLS here
    assert key not in cookie
    assert key not in client.get("/me").text
    assert all(key not in value for value in client.cookies.values())
    assert client.get("/me").status_code == 200


def test_secure_cookies_when_configured(make_api: MakeApi) -> None:
    from credo.web.settings import WebSettings

    api = make_api()
    api.app.state.web = WebSettings(web_secure_cookies=True)
    client = TestClient(api.app, base_url="https://testserver")
    answer = sign_in(client, api.tokens["subject_a"])
    assert "Secure" in _cookie_header(answer, "credo_session")


def test_a_bad_key_opens_nothing(portal: Portal) -> None:
    client = portal.browser(None)
    answer = client.post(
        "/login", data={"key": "credo_nonsense", "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert answer.status_code == 401
    assert "credo_session" not in client.cookies
    assert client.get("/me", follow_redirects=False).status_code == 303


def code_for(portal: Portal, principal: str, role: Role | None) -> tuple[str, Any]:
    """A one-time sign-in code for `principal`, as `credo keys login-link` makes one."""
    ctx = portal.api.ctx
    return login_code(
        ctx.access,
        ctx.sessions,
        SECRET.encode(),
        principal=principal,
        role=role,
        now=NOW,
        actor="cli:test",
    )


def test_a_login_code_works_once_and_for_fifteen_minutes(portal: Portal) -> None:
    ctx = portal.api.ctx
    code, caller = code_for(portal, "review-office", None)
    assert caller.role is Role.REVIEWER
    first = TestClient(portal.api.app)
    answer = first.get(f"/login?code={code}")
    assert answer.status_code == 200
    assert 'href="/review"' in answer.text
    assert first.get("/review", follow_redirects=False).status_code == 200
    again = TestClient(portal.api.app).get(f"/login?code={code}")
    assert again.status_code == 401

    late, _ = code_for(portal, "review-office", None)
    ctx.clock = lambda: NOW + timedelta(minutes=15)
    assert TestClient(portal.api.app).get(f"/login?code={late}").status_code == 401


def test_sessions_expire_end_on_sign_out_and_with_their_key(portal: Portal) -> None:
    ctx = portal.api.ctx
    client = portal.browser("subject_a")
    assert client.get("/me").status_code == 200
    ctx.clock = lambda: NOW + timedelta(minutes=portal.api.app.state.web.web_session_minutes)
    assert client.get("/me", follow_redirects=False).status_code == 303
    ctx.clock = lambda: NOW

    other = portal.browser("reviewer")
    assert other.get("/review").status_code == 200
    token = other.cookies["credo_session"]
    out = portal.post("reviewer", "/logout", {})
    assert out.status_code == 303
    stale = TestClient(portal.api.app, cookies={"credo_session": token})
    assert stale.get("/review", follow_redirects=False).status_code == 303

    admin = portal.browser("admin")
    assert admin.get("/admin").status_code == 200
    key_id = next(k.key_id for k in ctx.access.all_keys() if k.principal == "operations")
    revoke_key(ctx.access, key_id, now=NOW, actor="cli:test")
    assert admin.get("/admin", follow_redirects=False).status_code == 303


def test_login_link_command_prints_a_link(portal: Portal, tmp_path: object) -> None:
    code, _ = code_for(portal, "p-1", Role.SUBJECT)
    assert len(code) >= 24
    with pytest.raises(NoKeyToSignIn):
        code_for(portal, "nobody", None)


def test_pages_spend_the_api_budgets(make_api: MakeApi) -> None:
    api = make_api(api_anonymous_rate=1, api_burst_seconds=2)
    client = TestClient(api.app)
    statuses = [client.get("/rulebook").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200]
    assert statuses[-1] == 429
    limited = client.get("/rulebook")
    assert int(limited.headers["retry-after"]) >= 1
    assert "default-src 'self'" in limited.headers["content-security-policy"]
