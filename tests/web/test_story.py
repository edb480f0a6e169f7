"""The story the portal exists for, in a real browser and in both languages: a subject finds
the judgment-default record that denies them a rail ticket and objects; a reviewer overturns
it; the subject's page shows the score restored and the list entry gone, and the railway's
check now allows. A provider withdraws a record and the subject sees it withdrawn."""

from __future__ import annotations

from typing import Any

import pytest

from credo.domain.ledger.records import record_id_for
from tests.web.conftest import Portal, judgment, record

pytestmark = pytest.mark.browser

JUDGMENT = record_id_for("traffic-police-rc", "J-1")
TRAFFIC = record_id_for("traffic-police-rc", "TP-1")
WORDS = {
    "en": {"object": "Object", "file": "File the objection", "withdraw": "Withdraw"},
    "zh": {"object": "提出异议", "file": "提交异议", "withdraw": "撤回"},
}


def sign_in(chromium: Any, base: str, key: str, lang: str) -> Any:
    context = chromium.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"/login?lang={lang}")
    page.fill("#key", key)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    return page


def check(portal: Portal) -> str:
    answer = portal.api.call(
        "POST",
        "/v1/checks",
        "consumer_a",
        json={"subject": "p-1", "context": "rail.high-speed-ticket"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["decision"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_object_overturn_restore_and_withdraw(
    live: tuple[Portal, str], chromium: Any, lang: str
) -> None:
    portal, base = live
    words = WORDS[lang]
    created = portal.api.post_records([judgment("p-1"), record("p-1", ref="TP-1")])
    assert created.json()["created"] == 2
    assert check(portal) == "deny"

    me = sign_in(chromium, base, portal.api.tokens["subject_a"], lang)
    assert me.url.endswith("/me")
    assert me.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
    before = int(me.get_by_test_id("score").inner_text().replace(",", ""))
    assert me.get_by_test_id("list-entry").count() == 1
    record_card = me.locator(f"#record-{JUDGMENT}")
    assert "court.judgment_default" in record_card.inner_text()
    assert "ab" * 32 in record_card.inner_text()  # the evidence's sha256
    record_card.get_by_role("link", name=words["object"]).click()  # htmx brings the form in
    reason = record_card.locator("textarea[name=reason]")
    reason.wait_for()
    assert me.url.endswith("/me")  # in place, without leaving the page
    reason.fill(
        "The judgment was paid in full on 2026-11-10."
        if lang == "en"
        else "判决已于2026年11月10日全额履行。"
    )
    record_card.locator("input[name=evidence]").fill("https://receipts.example/paid.pdf")
    record_card.get_by_role("button", name=words["file"]).click()
    me.wait_for_url("**/me/objections/**")
    assert me.get_by_test_id("objection-state").inner_text() == ("open" if lang == "en" else "待审")
    assert me.get_by_test_id("deadline").inner_text()
    meanwhile = me.get_by_test_id("meanwhile").inner_text()
    assert ("suspended" in meanwhile) if lang == "en" else ("暂停" in meanwhile)
    objection = me.url.rsplit("/", 1)[1]

    reviewer = sign_in(chromium, base, portal.api.tokens["reviewer"], lang)
    assert reviewer.url.endswith("/review")
    reviewer.locator(f"a[href='/review/{objection}']").click()
    assert "https://receipts.example/paid.pdf" in reviewer.content()
    reviewer.locator("input[value=overturned]").check()
    reviewer.fill(
        "#note", "Payment confirmed by the court." if lang == "en" else "法院已确认履行。"
    )
    reviewer.locator("form.stack button[type=submit]").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_test_id("objection-state").inner_text() == (
        "overturned" if lang == "en" else "撤销"
    )

    me.goto("/me")
    after = int(me.get_by_test_id("score").inner_text().replace(",", ""))
    assert after == before + 100  # the judgment's points, restored
    assert me.get_by_test_id("list-entry").count() == 0
    assert me.get_by_test_id("no-lists").is_visible()
    assert check(portal) == "allow"

    provider = sign_in(chromium, base, portal.api.tokens["provider_a"], lang)
    assert provider.url.endswith("/provider")
    card = provider.locator(f"[id='{TRAFFIC}']")
    card.locator("summary").click()
    card.locator("input[name=reason]").fill("Entered against the wrong person.")
    card.get_by_role("button", name=words["withdraw"]).click()
    provider.wait_for_load_state()
    assert provider.locator(f"[id='{TRAFFIC}']").get_by_test_id("outcome").inner_text() == (
        "withdrawn" if lang == "en" else "已撤回"
    )
    me.goto("/me")
    status = me.locator(f"#record-{TRAFFIC}").get_by_test_id("record-status").inner_text()
    assert status == ("withdrawn" if lang == "en" else "已撤回")
    for page in (me, reviewer, provider):
        page.context.close()
