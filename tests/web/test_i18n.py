"""English and Simplified Chinese: chosen by `?lang=`, remembered, or from Accept-Language;
every message of the pages translated; dates and numbers written per locale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir

from credo.web import i18n
from tests.web.conftest import Portal

WEB = Path(i18n.__file__).parent


def test_the_language_is_asked_remembered_or_accepted() -> None:
    assert i18n.choose("zh", "en", "en") == "zh"
    assert i18n.choose(None, "zh", "en-GB") == "zh"
    assert i18n.choose(None, None, "fr-FR, zh-CN;q=0.8, en;q=0.5") == "zh"
    assert i18n.choose(None, None, "en;q=0.4, zh-Hans;q=0.9") == "zh"
    assert i18n.choose(None, None, "fr, de;q=0.7") == "en"
    assert i18n.choose("xx", None, "zh;q=0") == "en"


def test_every_message_has_a_chinese_translation() -> None:
    extracted = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(WEB),
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "N_": None},
        )
    }
    zh = i18n.translations("zh")
    untranslated = sorted(str(m) for m in extracted if zh.gettext(str(m)) == str(m))
    assert untranslated == []


def test_dates_and_numbers_per_locale() -> None:
    assert i18n.day(date(2026, 11, 22), "en") == "22 Nov 2026"
    assert i18n.day(date(2026, 11, 22), "zh") == "2026年11月22日"
    assert i18n.number(-1234, "en") == "-1,234"
    assert i18n.number(12345, "zh") == "12,345"


def test_pages_follow_the_choice_and_remember_it(portal: Portal) -> None:
    browser = portal.browser(None)
    assert '<html lang="en">' in browser.get("/rulebook").text
    chinese = browser.get("/rulebook?lang=zh")
    assert '<html lang="zh-Hans">' in chinese.text
    assert "规则手册" in chinese.text
    assert '<html lang="zh-Hans">' in browser.get("/population").text  # remembered
    other = portal.browser("admin")
    assert "总体统计" in other.get("/population", headers={"Accept-Language": "zh-CN"}).text
    for page in ("/", "/rulebook", "/population", "/login"):
        html = browser.get(f"{page}?lang=en").text
        assert "lang=zh" in html
        assert "lang=en" in html
