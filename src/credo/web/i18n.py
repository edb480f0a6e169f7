"""English and Simplified Chinese: which one a request gets, its catalog, and dates and numbers
written as its readers write them.

The catalogs are the `.po` files under `i18n/`, read with Babel when the server starts: there is
no compiled file to forget to build.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache, lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("en", "zh")
DEFAULT = "en"
CATALOGS = Path(__file__).parent / "i18n"
_LOCALES = {"en": Locale.parse("en_GB"), "zh": Locale.parse("zh_Hans_CN")}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def choose(asked: str | None, remembered: str | None, accept_language: str | None) -> str:
    """`?lang=` first, then the language the browser chose here before, then its
    Accept-Language (in the order of its q-values), then English."""
    for lang in (asked, remembered):
        if lang in LANGUAGES:
            return lang
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            wanted.append((-q, i, primary))
    return sorted(wanted)[0][2] if wanted else DEFAULT


@cache
def translations(lang: str) -> NullTranslations:
    po = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def day(value: date | str | None, lang: str) -> str:
    if value is None or value == "":
        return "—"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return _day(d, lang)


@lru_cache(maxsize=8192)
def _day(d: date, lang: str) -> str:
    # A page of a hundred records writes the same few dates many times.
    return format_date(d, "medium", locale=_LOCALES[lang])


def month(value: date, lang: str) -> str:
    """`Nov 2026`, `2026年11月`: the chart's axis."""
    return format_skeleton("yMMM", value, locale=_LOCALES[lang])


def moment(value: datetime | str | None, lang: str) -> str:
    if value is None or value == "":
        return "—"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_datetime(at, "medium", tzinfo=at.tzinfo, locale=_LOCALES[lang])


def number(value: float | int | None, lang: str) -> str:
    return "—" if value is None else format_decimal(value, locale=_LOCALES[lang])
