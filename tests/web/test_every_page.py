"""Every page, as each of its readers sees it, in both languages: axe-core (vendored) finds no
serious or critical violation, and a screenshot at 1280 and at 390 pixels wide is kept under
test-artifacts/portal/ for a person to look at."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credo.domain.ledger.records import record_id_for
from tests.web.conftest import Portal, judgment, record
from tests.web.live import ARTIFACTS, AXE
from tests.web.test_proposals import propose

pytestmark = pytest.mark.browser

JUDGMENT = record_id_for("traffic-police-rc", "J-1")
WIDTHS = (1280, 390)


def pages(objection: str) -> list[tuple[str | None, str, str]]:
    """(who, name, path) for every page."""
    return [
        (None, "home", "/"),
        (None, "rulebook", "/rulebook"),
        (None, "list", "/lists/judgment-defaulters"),
        (None, "population", "/population"),
        (None, "pack-diff", "/rulebook/rongcheng/diff?from=1&to=2"),
        (None, "proposals", "/rulebook/proposals"),
        (None, "login", "/login"),
        (None, "verify", "/verify"),
        ("subject_a", "me", "/me"),
        ("subject_a", "certificate", "/me/certificate"),
        (
            "subject_a",
            "objection-form",
            f"/me/records/{record_id_for('traffic-police-rc', 'TP-1')}/objection",
        ),
        ("subject_a", "my-objection", f"/me/objections/{objection}"),
        ("reviewer", "review", "/review"),
        ("reviewer", "review-objection", f"/review/{objection}"),
        ("provider_a", "provider", "/provider"),
        ("admin", "admin", "/admin"),
        ("subject_b", "me-empty", "/me"),
        (None, "not-found", "/lists/no-such-list"),
    ]


def seed(portal: Portal) -> str:
    from tests.api.test_lists import default

    api = portal.api
    orgs = [default(f"org-{i:02}") for i in range(12)]
    mine = [
        judgment("p-1"),
        record("p-1", ref="TP-1", occurred_at="2025-06-01"),
        record("p-1", ref="TP-2", occurred_at="2026-09-15", attributes={"severity": 4}),
    ]
    assert api.post_records([*orgs, *mine]).json()["created"] == 15
    filed = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": JUDGMENT, "reason": "paid"}
    )
    api.call(
        "POST",
        "/v1/checks",
        "consumer_a",
        json={"subject": "p-1", "context": "rail.high-speed-ticket"},
    )
    propose(portal)
    return str(filed.json()["objection_id"])


def test_every_page_is_accessible_and_photographed(live: tuple[Portal, str], chromium: Any) -> None:
    portal, base = live
    objection = seed(portal)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = AXE.read_text()
    contexts: dict[str | None, Any] = {}
    problems: dict[str, list[str]] = {}
    for who, name, path in pages(objection):
        if who not in contexts:
            # CSP forbids inline script, as it should: axe is injected around it.
            context = chromium.new_context(base_url=base, bypass_csp=True)
            if who is not None:
                login = context.new_page()
                login.goto("/login")
                login.fill("#key", portal.api.tokens[who])
                login.locator("form.stack button[type=submit]").click()
                login.wait_for_load_state()
                login.close()
            contexts[who] = context
        page = contexts[who].new_page()
        for lang in ("en", "zh"):
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-{width}.png"), full_page=True)
            if lang != "en":
                continue  # the same markup in the other language: axe once per page
            page.add_script_tag(content=axe)
            found = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
            )
            if found:
                problems[f"{name} ({lang})"] = found
        page.close()
    for context in contexts.values():
        context.close()
    (ARTIFACTS / "axe.json").write_text(json.dumps(problems, indent=2, ensure_ascii=False))
    assert problems == {}
