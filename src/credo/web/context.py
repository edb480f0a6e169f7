"""What every page knows about its request: the language, who is signed in, and the CSRF
token its forms carry. Worked out once per request and kept on it."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from credo.api.deps import ApiState
from credo.services.access.keys import Caller, Role, digest
from credo.services.portal.sessions import session_caller
from credo.web import i18n
from credo.web.settings import WebSettings

SESSION_COOKIE = "credo_session"
CSRF_COOKIE = "credo_csrf"
LANG_COOKIE = "credo_lang"


@dataclass
class Page:
    """One request's page context."""

    request: Request
    state: ApiState
    web: WebSettings
    lang: str
    viewer: Caller | None
    session_token: str | None
    csrf_seed: str
    new_seed: bool  # the CSRF cookie is to be set on the answer
    lang_asked: bool  # `?lang=` was given: remember it

    @property
    def csrf(self) -> str:
        """The token every form carries: a keyed digest of the browser's CSRF cookie, which
        another site can neither read nor set (SameSite=Strict, HttpOnly)."""
        return digest(self.state.key_secret, f"csrf:{self.csrf_seed}")

    def csrf_ok(self, token: str | None) -> bool:
        return not self.new_seed and hmac.compare_digest(self.csrf, token or "")

    def is_(self, *roles: Role) -> bool:
        return self.viewer is not None and self.viewer.role in roles


async def page_of(
    request: Request,
    lang: Annotated[
        str | None, Query(max_length=8, description="en or zh: the page's language.")
    ] = None,
) -> Page:
    """Every page depends on this, so every page takes `?lang=` (the API refuses query
    parameters a route does not declare)."""
    held: Page | None = getattr(request.state, "page", None)
    if held is not None:
        return held
    state: ApiState = request.app.state.api
    web: WebSettings = request.app.state.web
    # Called directly (for an error page) `lang` is not resolved: read it from the address.
    asked = lang if lang is not None else request.query_params.get("lang")
    chosen = i18n.choose(
        asked, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    token = request.cookies.get(SESSION_COOKIE)
    viewer = None
    if token:
        ctx = state.context
        viewer = await run_in_threadpool(
            lambda: session_caller(
                ctx.access, ctx.sessions, state.key_secret, token=token, now=ctx.clock()
            )
        )
    seed = request.cookies.get(CSRF_COOKIE) or ""
    new_seed = len(seed) < 32
    page = Page(
        request,
        state,
        web,
        chosen,
        viewer,
        token if viewer else None,
        secrets.token_urlsafe(32) if new_seed else seed,
        new_seed,
        asked in i18n.LANGUAGES,
    )
    request.state.page = page  # first: a refusal below is answered with this page's context
    # Pages spend the same budgets as the API: a key's rate once signed in, else the address's.
    if viewer is not None:
        state.limiter.take(viewer.key_id, viewer.rate or state.settings.api_rate)
    else:
        client = request.client.host if request.client else "unknown"
        state.limiter.take(f"address:{client}", state.settings.api_anonymous_rate)
    return page


PageDep = Annotated[Page, Depends(page_of)]
