"""Signing in and out (SPEC §8): a key typed once into a form, or a one-time code from a
sign-in link, becomes a session cookie; the key itself never reaches the browser's storage."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from credo.services.access.keys import Caller, Role
from credo.services.portal.sessions import Opened, end_session, open_with_code, open_with_key
from credo.web.context import CSRF_COOKIE, SESSION_COOKIE, Page, PageDep
from credo.web.render import render, secure
from credo.web.routing import check_csrf
from credo.web.routing import router as page_router

router = page_router()

HOME = {
    Role.SUBJECT: "/me",
    Role.REVIEWER: "/review",
    Role.PROVIDER: "/provider",
    Role.ADMIN: "/admin",
    Role.CONSUMER: "/",
}


def home_of(caller: Caller) -> str:
    return HOME[caller.role]


def _local(target: str | None) -> str | None:
    """Only an address on this site: `/path`, never `//elsewhere` or `https://…`."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


@router.get("/login")
async def login_form(
    page: PageDep,
    code: Annotated[str | None, Query(max_length=128)] = None,
    next: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    if code is None:
        return render(page, "login.html", twin=None, next=_local(next), failed=False)
    ctx, secret = page.state.context, page.state.key_secret
    opened = await run_in_threadpool(
        lambda: open_with_code(
            ctx.access,
            ctx.sessions,
            secret,
            code=code,
            now=ctx.clock(),
            minutes=page.web.web_session_minutes,
        )
    )
    if opened is None:
        return render(page, "login.html", status=401, twin=None, next=None, failed="code")
    # A link followed from a mail or a terminal is a navigation from elsewhere, on which a
    # SameSite=Strict cookie is not sent even after a redirect: the page that sets the cookie
    # links on, and that next step comes from this site.
    response = render(
        page,
        "signed_in.html",
        twin=None,
        target=home_of(opened.caller),
        who=opened.caller.principal,
    )
    return _with_session(page, response, opened)


@router.post("/login")
async def login(
    page: PageDep,
    key: Annotated[str, Form(max_length=256)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    # Each try costs the address its anonymous budget (`page_of`), as a bad key does on the API.
    state = page.state
    if not page.csrf_ok(csrf):
        return render(page, "login.html", status=403, twin=None, next=_local(next), failed="csrf")
    ctx = state.context
    opened = await run_in_threadpool(
        lambda: open_with_key(
            ctx.access,
            ctx.sessions,
            state.key_secret,
            key=key,
            now=ctx.clock(),
            minutes=page.web.web_session_minutes,
        )
    )
    if opened is None:
        return render(page, "login.html", status=401, twin=None, next=_local(next), failed="key")
    target = _local(next) or home_of(opened.caller)
    return _with_session(page, RedirectResponse(target, status_code=303), opened)


def _with_session(page: Page, response: Response, opened: Opened) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=page.web.web_session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=page.web.web_secure_cookies,
    )
    # A new CSRF cookie with the new session: a token seen before signing in is worth nothing.
    response.delete_cookie(CSRF_COOKIE)
    return secure(response)


@router.post("/logout")
async def logout(page: PageDep, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(page, csrf)
    ctx = page.state.context
    token = page.request.cookies.get("credo_session")
    if token:
        secret = page.state.key_secret
        await run_in_threadpool(
            lambda: end_session(ctx.sessions, secret, token=token, now=ctx.clock())
        )
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return secure(response)
