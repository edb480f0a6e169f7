"""An operator's page: API keys (a new key's token is shown once, on the answer that made
it), revocation, the notice outbox with each channel's position, and the ledger's figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from credo.services.access.keys import (
    InvalidKeyRequest,
    NewKey,
    Role,
    create_key,
    list_keys,
    revoke_key,
)
from credo.services.portal.operations import figures
from credo.web.context import Page, PageDep
from credo.web.render import render
from credo.web.routing import check_csrf, require
from credo.web.routing import router as page_router

router = page_router()


def _admin_page(
    page: Page, *, made: NewKey | None = None, error: str | None = None, status: int = 200
) -> Response:
    ctx = page.state.context
    keys = list_keys(ctx.access)
    found = figures(ctx.store, ctx.portal, today=ctx.today())
    return render(
        page,
        "admin.html",
        status=status,
        twin="/v1/keys",
        keys=keys,
        figures=found,
        made=made,
        error=error,
        roles=[r.value for r in Role],
    )


@router.get("/admin")
async def admin(page: PageDep) -> Response:
    require(page, Role.ADMIN)
    return await run_in_threadpool(lambda: _admin_page(page))


def _split(text: str) -> list[str]:
    return [v.strip() for v in text.replace("\n", ",").split(",") if v.strip()]


@router.post("/admin/keys")
async def make_key(
    page: PageDep,
    role: Annotated[str, Form(max_length=16)],
    id: Annotated[str, Form(max_length=256)],
    scopes: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require(page, Role.ADMIN)
    check_csrf(page, csrf)
    if role not in Role.__members__.values():
        return await run_in_threadpool(
            lambda: _admin_page(page, error=f"{role!r} is not a role", status=422)
        )
    chosen = Role(role)
    ctx, secret = page.state.context, page.state.key_secret
    assert page.viewer is not None  # `require` let an administrator in
    actor = page.viewer.key_id
    listed = _split(scopes)

    def make() -> Response:
        try:
            made = create_key(
                ctx.access,
                secret,
                role=chosen,
                principal=id.strip(),
                types=listed if chosen is Role.PROVIDER else None,
                contexts=listed if chosen is Role.CONSUMER else None,
                now=ctx.clock(),
                actor=actor,
            )
        except InvalidKeyRequest as e:
            return _admin_page(page, error=e.detail, status=422)
        # The token is in this answer and nowhere else: the page is sent `no-store`.
        return _admin_page(page, made=made, status=201)

    return await run_in_threadpool(make)


@router.post("/admin/keys/{key_id}/revocation")
async def revoke(
    page: PageDep,
    key_id: Annotated[str, Path(pattern=r"^k-[0-9a-f]{12}$")],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require(page, Role.ADMIN)
    check_csrf(page, csrf)
    ctx = page.state.context
    assert page.viewer is not None  # `require` let an administrator in
    actor = page.viewer.key_id
    await run_in_threadpool(lambda: revoke_key(ctx.access, key_id, now=ctx.clock(), actor=actor))
    return RedirectResponse("/admin#keys", status_code=303)
