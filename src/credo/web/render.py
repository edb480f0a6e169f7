"""Pages as HTML: one Jinja environment per language, and the headers every page is sent with."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from credo.services.portal.subject_file import SubjectFile
from credo.services.rating.subject import ByRevision
from credo.web import i18n
from credo.web.chart import chart
from credo.web.conditions import describe
from credo.web.context import CSRF_COOKIE, LANG_COOKIE, Page
from credo.web.words import RECORD_LABELS

TEMPLATES = Path(__file__).parent / "templates"

# No inline script or style anywhere: everything the pages run or wear is a file of this site.
CSP = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A sign-in link carries its code in the address: never pass an address on.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates are part of the release, not edited while it runs
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = partial(i18n.day, lang=lang)
    env.filters["moment"] = partial(i18n.moment, lang=lang)
    env.filters["number"] = partial(i18n.number, lang=lang)
    env.filters["month"] = partial(i18n.month, lang=lang)
    env.filters["conditions"] = describe
    catalog = i18n.translations(lang)
    env.globals["record_labels"] = {k: catalog.gettext(v) for k, v in RECORD_LABELS.items()}
    env.globals["lang"] = lang
    env.globals["html_lang"] = i18n.HTML_LANG[lang]
    return env


def file_body(lang: str, file: SubjectFile, held: ByRevision[Markup]) -> Markup:
    """The part of `/me` that follows from the subject's ledger (`_me_body.html`: the chart,
    every record's card, list entries, objections and notices), rendered once per revision of
    their file and language (`held`): a hundred record cards and as many notices are most of
    what the page costs to render."""
    key = (lang, *file.revision)
    body = held.get(key)
    if body is None:
        shown = chart(file.history, file.explanation.next_change)
        template = environment(lang).get_template("_me_body.html")
        body = Markup(template.render(file=file, chart=shown))
        held.put(key, body)
    return body


def with_lang(page: Page, lang: str) -> str:
    """This page's address in another language."""
    query = [
        (k, v) for k, v in page.request.query_params.multi_items() if k not in ("lang", "code")
    ]
    return page.request.url.path + "?" + urlencode([*query, ("lang", lang)])


def secure(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render(
    page: Page, template: str, *, status: int = 200, twin: str | None = None, **values: Any
) -> HTMLResponse:
    """A whole page (or, for htmx, a `_partial.html`), with the cookies it owes: the CSRF
    cookie its forms need, and the language asked for by `?lang=`."""
    env = environment(page.lang)
    html = env.get_template(template).render(
        page=page,
        viewer=page.viewer,
        csrf=page.csrf,
        twin=twin,
        switch={lang: with_lang(page, lang) for lang in i18n.LANGUAGES},
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    remember(page, response)
    secure(response)
    return response


def remember(page: Page, response: Response) -> None:
    secure_cookie = page.web.web_secure_cookies
    if page.new_seed:
        response.set_cookie(
            CSRF_COOKIE, page.csrf_seed, httponly=True, samesite="strict", secure=secure_cookie
        )
    if page.lang_asked:
        response.set_cookie(
            LANG_COOKIE,
            page.lang,
            max_age=365 * 86400,
            httponly=True,
            samesite="strict",
            secure=secure_cookie,
        )
