"""Content-Security-Policy on every page, with nothing inline for it to forbid; a CSRF token
on every form, and a form without it refused and writing nothing."""

from __future__ import annotations

import re

from tests.web.conftest import Portal
from tests.web.test_policy import FORMS, PAGES, SEED, seed

VIEWERS = {
    "/me": "subject_a",
    "/review": "reviewer",
    "/provider": "provider_a",
    "/admin": "admin",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)


def _viewer(path: str) -> str | None:
    return next((who for prefix, who in VIEWERS.items() if path.startswith(prefix)), None)


def test_every_page_sends_the_policy_and_has_nothing_inline(portal: Portal) -> None:
    objection = seed(portal)
    for method, path, _ in PAGES:
        if method != "GET":
            continue
        for lang in ("en", "zh"):
            target = path.replace("{objection}", objection)
            answer = portal.get(_viewer(path), f"{target}?lang={lang}")
            csp = answer.headers["content-security-policy"]
            assert "default-src 'self'" in csp, path
            assert "unsafe-inline" not in csp, path
            assert answer.headers["x-content-type-options"] == "nosniff"
            if not answer.headers["content-type"].startswith("text/html"):
                continue
            html = answer.text
            assert not INLINE_SCRIPT.search(html), path
            assert "<style" not in html, path
            assert " style=" not in html, path
            assert not re.search(r"\son[a-z]+=", html), f"an inline handler on {path}"
            for attrs, body in FORM.findall(html):
                if 'method="post"' in attrs:
                    assert 'name="csrf"' in body, f"a form on {path} without a CSRF token"


def test_a_form_without_its_token_is_refused_and_writes_nothing(portal: Portal) -> None:
    objection = seed(portal)
    ledger_before = portal.api.ctx.store.ledger_size("p-1")
    keys_before = len(portal.api.ctx.access.all_keys())
    forms = {
        "/me/objections": "subject_a",
        "/review/{objection}/decision": "reviewer",
        f"/provider/records/{SEED}/withdrawal": "provider_a",
        "/admin/keys": "admin",
        "/logout": "subject_a",
    }
    for path, who in forms.items():
        client = portal.browser(who)
        target = path.replace("{objection}", objection)
        for token in (None, "forged"):
            data = dict(FORMS.get(path, {}))
            if token:
                data["csrf"] = token
            answer = client.post(target, data=data, follow_redirects=False)
            assert answer.status_code == 403, (path, token, answer.status_code)
    assert portal.api.ctx.store.ledger_size("p-1") == ledger_before
    assert len(portal.api.ctx.access.all_keys()) == keys_before
    assert portal.get("subject_a", "/me").status_code == 200  # still signed in


def test_the_login_form_needs_its_token_too(portal: Portal) -> None:
    client = portal.browser(None)
    key = portal.api.tokens["subject_a"]
    answer = client.post("/login", data={"key": key}, follow_redirects=False)
    assert answer.status_code == 403
    assert "credo_session" not in client.cookies


def test_sign_in_goes_back_only_to_this_site(portal: Portal) -> None:
    client = portal.browser(None)
    page = client.get("/login?next=//evil.example/x")
    assert 'name="next"' not in page.text  # the form does not carry it on
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login",
        data={"key": portal.api.tokens["reviewer"], "csrf": token.group(1), "next": "//evil"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/review"
